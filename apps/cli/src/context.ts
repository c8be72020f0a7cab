import { join } from "node:path";
import {
  createNamespaceManager,
  createSqliteStore,
  defaultStateDir,
  type NamespaceManager,
  STATE_DB_FILE,
} from "@ns/core";
import { createSandboxManager, type SandboxManager } from "@ns/sandbox";
import type { BackendName } from "@ns/types";
import { usageError } from "./errors.ts";

/** Where the CLI writes and what environment it sees; tests pass their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
}

/** Options accepted by every command. */
export interface GlobalOptions {
  backend?: string;
  stateDir?: string;
  debug?: boolean;
  json?: boolean;
}

/** Accepted values of --backend and NS_BACKEND. */
export const BACKEND_CHOICES = ["auto", "linux", "macos", "simulation"] as const;

/** The backend asked for, checked: --backend wins over NS_BACKEND (which core reads itself). */
export function backendOption(g: GlobalOptions, env: CliIo["env"]): BackendName | "auto" {
  const check = (v: string, from: string) => {
    if (!(BACKEND_CHOICES as readonly string[]).includes(v))
      throw usageError(
        `invalid ${from} ${JSON.stringify(v)}: accepted are ${BACKEND_CHOICES.join(", ")}`,
        "auto picks linux when root with ip, nft and nsenter, macos as root on macOS, else simulation",
      );
    return v as BackendName | "auto";
  };
  if (env.NS_BACKEND !== undefined && env.NS_BACKEND !== "") check(env.NS_BACKEND, "NS_BACKEND");
  return g.backend !== undefined ? check(g.backend, "--backend") : "auto";
}

/** --state-dir, else NS_STATE_DIR, else core's default (/var/lib/ns as root, the XDG state dir otherwise). */
export function stateDirOption(g: GlobalOptions, env: CliIo["env"]): string {
  if (g.stateDir !== undefined && g.stateDir.trim() === "") throw usageError("--state-dir must not be empty");
  return g.stateDir ?? defaultStateDir(env);
}

// Static specifiers, so the bundle keeps each backend as a lazy chunk that shares core and types with the CLI.
const BACKEND_IMPORTS: Record<string, () => Promise<unknown>> = {
  "@ns/linux": () => import("@ns/linux"),
  "@ns/macos": () => import("@ns/macos"),
  "@ns/simulation": () => import("@ns/simulation"),
};

/** Loads a backend package the CLI ships with (core asks by package name). */
export function importBackendPackage(specifier: string): Promise<unknown> {
  return BACKEND_IMPORTS[specifier]?.() ?? import(specifier);
}

/** A manager over the shared SQLite state, and the sandbox manager on top. */
export interface CliContext {
  stateDir: string;
  namespaces: NamespaceManager;
  sandboxes: SandboxManager;
  close(): Promise<void>;
}

/** Opens the state database and prepares (lazily) the backend. */
export function openContext(g: GlobalOptions, io: CliIo): CliContext {
  const backend = backendOption(g, io.env);
  const stateDir = stateDirOption(g, io.env);
  const store = createSqliteStore({ path: join(stateDir, STATE_DB_FILE) });
  const namespaces = createNamespaceManager({
    backend,
    store,
    env: io.env,
    importBackend: importBackendPackage,
  });
  const sandboxes = createSandboxManager({ namespaces });
  return {
    stateDir,
    namespaces,
    sandboxes,
    async close() {
      await sandboxes.close();
      await namespaces.close();
    },
  };
}
