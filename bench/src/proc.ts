import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** Outcome of one external command. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of exec. */
export interface ExecOptions {
  input?: string;
  /** Variables added to this process's environment. */
  env?: Record<string, string>;
  /** The whole environment instead (wins over env). */
  fullEnv?: NodeJS.ProcessEnv;
  allowFailure?: boolean;
  timeoutMs?: number;
}

/** Runs a program without a shell and collects its output; throws on a non-zero exit unless allowed. */
export function exec(command: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      env: opts.fullEnv ?? (opts.env ? { ...process.env, ...opts.env } : process.env),
      timeout: opts.timeoutMs ?? 120_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => {
      stdout += d;
    });
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const r = { code: code ?? -1, stdout, stderr };
      if (r.code !== 0 && !opts.allowFailure)
        reject(new Error(`${command} ${args.join(" ")} exited ${r.code}: ${stderr.trim().slice(0, 400)}`));
      else resolve(r);
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Runs a shell script with `sh -e` (baseline scripts are shell scripts on purpose). */
export function sh(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
  return exec("sh", ["-ec", script], opts);
}

/** A background process we started; stop() kills it by pid and waits for it. */
export interface Daemon {
  pid: number;
  stop(): Promise<void>;
}

const daemons = new Set<Daemon>();

/** Starts a long-running program (e.g. an iperf3 server); every one is tracked for stopAllDaemons. */
export function startDaemon(command: string, args: readonly string[]): Daemon {
  const child = spawn(command, args, { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => {
    child.on("close", () => resolve());
    child.on("error", () => resolve());
  });
  const d: Daemon = {
    pid: child.pid ?? -1,
    async stop() {
      daemons.delete(d);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 2000);
      await exited;
      clearTimeout(t);
    },
  };
  daemons.add(d);
  return d;
}

/** Stops every daemon still running (cleanup path). */
export async function stopAllDaemons(): Promise<void> {
  await Promise.all([...daemons].map((d) => d.stop()));
}

/** Whether an executable is on PATH (or is an absolute executable path). */
export function which(command: string): string | undefined {
  const dirs = command.includes("/") ? [""] : (process.env.PATH ?? "").split(delimiter);
  for (const d of dirs) {
    const p = d ? join(d, command) : command;
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {}
  }
  return undefined;
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
