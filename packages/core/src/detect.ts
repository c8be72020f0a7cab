import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { type BackendName, NsError } from "@ns/types";
import type { BackendFactoryOptions, BackendModule, NetworkBackend } from "./backend.ts";

/** The package that implements each backend; core never imports them statically. */
export const BACKEND_PACKAGES: Record<BackendName, string> = {
  linux: "@ns/linux",
  macos: "@ns/macos",
  simulation: "@ns/simulation",
};

/** Which backend was chosen and why. */
export interface BackendChoice {
  /** Chosen backend. */
  name: BackendName;
  /** One sentence: why this backend. */
  reason: string;
  /** Whether it was requested explicitly (option or NS_BACKEND) rather than detected. */
  explicit: boolean;
  /** What requested it, when explicit: the option (`--backend`) or the NS_BACKEND variable. */
  requestedBy?: "option" | "env";
}

/** Facts detection looks at; injectable for tests. */
export interface HostFacts {
  platform: NodeJS.Platform;
  uid: number;
  /** Effective capabilities bitmask (Linux), when known. */
  capEff?: bigint;
  /** Whether a program is on PATH. */
  has(tool: string): boolean;
}

const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;

/** Reads the facts of this machine. */
export function readHostFacts(): HostFacts {
  let capEff: bigint | undefined;
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) capEff = BigInt(`0x${m[1]}`);
  } catch {
    // not Linux
  }
  return {
    platform: process.platform,
    uid: typeof process.getuid === "function" ? process.getuid() : -1,
    capEff,
    // The directories `which` would search, plus the sbin ones a non-root PATH may lack: no process needed.
    has: (tool) =>
      (process.env.PATH ?? "")
        .split(":")
        .concat(["/usr/sbin", "/sbin"])
        .some((dir) => dir !== "" && existsSync(`${dir}/${tool}`)),
  };
}

const NAMES: readonly BackendName[] = ["linux", "macos", "simulation"];

/**
 * Whether this process may manage network namespaces: CAP_NET_ADMIN and CAP_SYS_ADMIN in effect. Effective
 * capabilities decide when known (root in a restricted container lacks them); otherwise being root does.
 */
export function linuxPrivileged(facts: Pick<HostFacts, "capEff" | "uid">): boolean {
  const caps = facts.capEff;
  if (caps === undefined) return facts.uid === 0;
  const has = (bit: bigint) => ((caps >> bit) & 1n) === 1n;
  return has(CAP_NET_ADMIN) && has(CAP_SYS_ADMIN);
}

/** Picks a backend: explicit option, then NS_BACKEND, then what the machine can do. */
export function chooseBackend(
  requested: BackendName | "auto" | undefined,
  env: Record<string, string | undefined> = process.env,
  facts: HostFacts = readHostFacts(),
): BackendChoice {
  const fromEnv = env.NS_BACKEND;
  const want =
    requested && requested !== "auto" ? requested : fromEnv && fromEnv !== "auto" ? fromEnv : undefined;
  if (want !== undefined) {
    if (!NAMES.includes(want as BackendName))
      throw new NsError("ERR_NS_INVALID_CONFIG", `unknown backend ${JSON.stringify(want)}`, {
        hint: "use linux, macos, simulation or auto",
        details: { backend: want },
      });
    const byOption = requested !== undefined && requested !== "auto";
    return {
      name: want as BackendName,
      reason: byOption ? "requested by option" : "requested by NS_BACKEND",
      explicit: true,
      requestedBy: byOption ? "option" : "env",
    };
  }
  if (facts.platform === "linux") {
    if (!linuxPrivileged(facts))
      return {
        name: "simulation",
        reason:
          facts.uid === 0
            ? "Linux as root, but without CAP_NET_ADMIN+CAP_SYS_ADMIN (a restricted container?): isolation is simulated, not enforced"
            : "Linux without root or CAP_NET_ADMIN+CAP_SYS_ADMIN: isolation is simulated, not enforced",
        explicit: false,
      };
    const missing = ["ip", "nft", "nsenter"].filter((t) => !facts.has(t));
    if (missing.length > 0)
      return {
        name: "simulation",
        reason: `Linux with CAP_NET_ADMIN, but ${missing.join(", ")} missing (apt-get install iproute2 nftables util-linux): isolation is simulated`,
        explicit: false,
      };
    return {
      name: "linux",
      reason: "Linux with CAP_NET_ADMIN, ip, nft and nsenter present",
      explicit: false,
    };
  }
  if (facts.platform === "darwin") {
    if (facts.uid !== 0)
      return {
        name: "simulation",
        reason: "macOS without root (pf needs root): isolation is simulated",
        explicit: false,
      };
    const missing = ["sandbox-exec", "pfctl"].filter((t) => !facts.has(t));
    if (missing.length > 0)
      return {
        name: "simulation",
        reason: `macOS as root, but ${missing.join(", ")} missing`,
        explicit: false,
      };
    return { name: "macos", reason: "macOS as root with sandbox-exec and pfctl", explicit: false };
  }
  return {
    name: "simulation",
    reason: `no isolation backend for platform ${facts.platform}: simulated`,
    explicit: false,
  };
}

const notFound = (e: unknown) => {
  const code = (e as { code?: string }).code;
  return (
    code === "ERR_MODULE_NOT_FOUND" ||
    code === "MODULE_NOT_FOUND" ||
    /Cannot find (module|package)/.test(String(e))
  );
};

/**
 * Imports a backend package as core sees it, else as the application does: under pnpm's strict layout (and in
 * workspaces) core cannot see packages that only the application depends on, so resolution is retried from
 * the entry script's directory.
 */
export async function importFromCoreOrApp(specifier: string): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (e) {
    const entry = process.argv[1];
    if (!notFound(e) || entry === undefined) throw e;
    let resolved: string;
    try {
      resolved = createRequire(resolvePath(entry)).resolve(specifier);
    } catch {
      throw e;
    }
    return import(pathToFileURL(resolved).href);
  }
}

/** Loads a backend package by name and creates the backend; a missing package gives ERR_NS_BACKEND_MISSING naming it. */
export async function loadBackend(
  name: BackendName,
  options: BackendFactoryOptions = {},
  importer: (specifier: string) => Promise<unknown> = importFromCoreOrApp,
): Promise<NetworkBackend> {
  const pkg = BACKEND_PACKAGES[name];
  let mod: BackendModule;
  try {
    mod = (await importer(pkg)) as BackendModule;
  } catch (e) {
    if (notFound(e))
      throw new NsError("ERR_NS_BACKEND_MISSING", `the ${name} backend is not installed (package ${pkg})`, {
        hint: `install it: pnpm add ${pkg} (or npm install ${pkg})`,
        cause: e,
        details: { backend: name, package: pkg },
      });
    throw e;
  }
  if (typeof mod.createBackend !== "function")
    throw new NsError("ERR_NS_BACKEND_MISSING", `${pkg} does not export createBackend`, {
      hint: `reinstall ${pkg} at the version matching @ns/core`,
    });
  return mod.createBackend(options);
}
