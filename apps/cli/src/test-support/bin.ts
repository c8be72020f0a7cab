import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The BUILT binary, run as a user would. */
export const BIN = fileURLToPath(new URL("../../bundle/ns.mjs", import.meta.url));

/** Fails loudly when the CLI was not built (tests run after `pnpm build`; turbo's test task depends on build). */
export function assertBuilt(): void {
  if (!existsSync(BIN))
    throw new Error(`${BIN} is missing: run \`pnpm build\` (or tsc -p apps/cli/tsconfig.build.json) first`);
}

/** Outcome of one `ns` process. */
export interface BinResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node bundle/ns.mjs ...argv` with its own state dir. */
export function startNs(
  argv: readonly string[],
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<BinResult>; stdout: () => string } {
  const child = spawn(process.execPath, [BIN, ...argv], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => {
    stdout += String(d);
  });
  child.stderr!.on("data", (d) => {
    stderr += String(d);
  });
  const done = new Promise<BinResult>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, stdout: () => stdout };
}

/** A temporary --state-dir and a runner of the built binary bound to it; never /var/lib/ns. */
export function binSandbox(backend: string, extraEnv: Record<string, string> = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), "ns-e2e-"));
  const env = { NS_BACKEND: "", NS_STATE_DIR: "", ...extraEnv };
  const withState = (argv: readonly string[]) => ["--backend", backend, "--state-dir", stateDir, ...argv];
  const started: ChildProcess[] = [];
  const stop = () => {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  };
  return {
    stateDir,
    start: (...argv: string[]) => {
      const r = startNs(withState(argv), env);
      started.push(r.child);
      return r;
    },
    ns: (...argv: string[]) => startNs(withState(argv), env).done,
    /** SIGKILLs every `ns` this box started that still runs (a failed test must not leave one behind). */
    stop,
    /** stop(), then removes the state dir. */
    cleanup: () => {
      stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Waits for `check` (polling every 25 ms) or throws after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}
