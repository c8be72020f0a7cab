import { type ChildProcess, spawn as nodeSpawn, type StdioOptions } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import type { EnterSpec } from "@ns/core";
import { NsError } from "@ns/types";
import { exitCodeOf } from "./exit-code.ts";

/** Signals forwarded to the child when `forwardSignals` is on. */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** How to start a sandboxed process. */
export interface SpawnOptions {
  /** `pipe` (default): streams on the returned process; `inherit`: the caller's terminal; or Node's per-fd array. */
  stdio?: "pipe" | "inherit" | "ignore" | StdioOptions;
  /** Extra environment (over process.env and the namespace's own). */
  env?: Record<string, string | undefined>;
  /** Working directory. */
  cwd?: string;
  /** Forward SIGINT, SIGTERM and SIGHUP received by this process to the child (default false). */
  forwardSignals?: boolean;
  /** Destroy the sandbox once this process (and every other running one of the sandbox) exits (default false). */
  destroyOnExit?: boolean;
  /** On Linux, kill the child when this process dies, even by SIGKILL (setpriv --pdeathsig; default false). */
  killWithParent?: boolean;
}

/** How a sandboxed process ended. */
export interface SandboxResult {
  /** Shell-style code: the exit code, or 128 + signal number when killed by a signal. */
  exitCode: number;
  /** Raw exit code (null when killed by a signal). */
  code: number | null;
  /** Signal that killed it, if any. */
  signal: NodeJS.Signals | null;
  /** Set when destroyOnExit failed to remove the namespace (the process result is still valid). */
  cleanupError?: NsError;
}

/** A running sandboxed process. */
export interface SandboxProcess {
  /** Its pid (the command itself: enter prefixes exec into it). */
  readonly pid: number;
  /** Streams when stdio is piped, else null. */
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Whether the OS enforces the namespace on this process (false on the simulation backend). */
  readonly enforced: boolean;
  /** Why the process is less isolated than its mode says, if it is. */
  readonly warnings: readonly string[];
  /** Sends a signal (default SIGTERM). */
  kill(signal?: NodeJS.Signals): boolean;
  /** Settles when the process exited and, with destroyOnExit, its sandbox is gone. */
  readonly result: Promise<SandboxResult>;
}

/** Low-level: starts `[...enter.prefix, command, ...args]`; resolves once the process runs. */
export async function spawnEntered(
  enter: EnterSpec,
  command: string,
  args: readonly string[],
  options: SpawnOptions & { extraPrefix?: readonly string[]; warnings?: readonly string[] } = {},
): Promise<{ child: ChildProcess; exited: Promise<SandboxResult>; process: Omit<SandboxProcess, "result"> }> {
  const argv = [...enter.prefix, ...(options.extraPrefix ?? []), command, ...args];
  const env = { ...process.env, ...enter.env, ...options.env };
  const child = nodeSpawn(argv[0]!, argv.slice(1), {
    stdio: options.stdio ?? "pipe",
    env,
    cwd: options.cwd,
  });
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new NsError("ERR_NS_COMMAND_FAILED", `cannot start ${argv[0]}: ${e.code ?? e.message}`, {
          hint:
            e.code === "ENOENT"
              ? `check that ${argv[0]} is installed and on PATH`
              : "check the command and its permissions",
          cause: e,
          details: { command: argv[0], args: argv.slice(1), errno: e.code },
        }),
      ),
    );
  });
  const removers: (() => void)[] = [];
  if (options.forwardSignals) {
    for (const sig of FORWARDED_SIGNALS) {
      const handler = () => forward(child, sig);
      process.on(sig, handler);
      removers.push(() => process.off(sig, handler));
    }
  }
  const exited = new Promise<SandboxResult>((resolve) => {
    child.once("close", (code, signal) => {
      for (const r of removers) r();
      resolve({ exitCode: exitCodeOf(code, signal), code, signal });
    });
  });
  return {
    child,
    exited,
    process: {
      pid: child.pid!,
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      enforced: enter.enforced,
      warnings: options.warnings ?? [],
      kill: (signal = "SIGTERM") => child.kill(signal),
    },
  };
}

// A terminal's Ctrl-C already reaches the child (same process group): sending SIGINT again would
// count as a second press for programs that treat the second one as "force quit".
function forward(child: ChildProcess, sig: NodeJS.Signals): void {
  if (sig === "SIGINT" && process.stdin.isTTY && process.stdout.isTTY) return;
  if (child.exitCode === null && child.signalCode === null) child.kill(sig);
}
