import { spawn } from "node:child_process";
import { NsError } from "@ns/types";
import { type CommandResult, type CommandRunner, commandError, type RunOptions } from "./runner.ts";

// Plain child_process rather than execa: the runner needs only argv spawn, stdin text, capture, timeout and
// abort, and execa's import alone cost more than the whole `ns run --mode full -- true` budget (~60 ms).

/** The real runner: spawns programs directly (no shell), feeds stdin, captures output. */
export function createExecRunner(defaults: { env?: Record<string, string> } = {}): CommandRunner {
  const env = defaults.env ? { ...process.env, ...defaults.env } : undefined;
  return {
    run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
      return new Promise((resolve, reject) => {
        if (options.signal?.aborted) return reject(aborted(command, args, options.signal.reason));
        const child = spawn(command, args, {
          env,
          stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let spawnError: Error | undefined;
        let timedOut = false;
        let cancelled = false;
        child.stdout!.on("data", (d: Buffer) => out.push(d));
        child.stderr!.on("data", (d: Buffer) => err.push(d));
        const timer =
          options.timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                timedOut = true;
                child.kill("SIGKILL");
              }, options.timeoutMs);
        const onAbort = () => {
          cancelled = true;
          child.kill("SIGKILL");
        };
        options.signal?.addEventListener("abort", onAbort, { once: true });
        child.on("error", (e) => {
          spawnError = e;
        });
        if (options.input !== undefined) {
          child.stdin!.on("error", () => undefined); // EPIPE when the program exits without reading: its exit code tells
          child.stdin!.end(options.input);
        }
        child.on("close", (code, signal) => {
          if (timer) clearTimeout(timer);
          options.signal?.removeEventListener("abort", onAbort);
          if (cancelled) return reject(aborted(command, args, options.signal?.reason));
          let stderr = Buffer.concat(err).toString("utf8");
          if (spawnError)
            stderr += `${(spawnError as NodeJS.ErrnoException).code ?? ""} ${spawnError.message}`;
          if (timedOut) stderr += `\ncommand timed out after ${options.timeoutMs} ms`;
          else if (signal) stderr += `\ncommand was killed by ${signal}`;
          const result: CommandResult = {
            command,
            args,
            exitCode: typeof code === "number" && !spawnError ? code : -1,
            stdout: Buffer.concat(out).toString("utf8"),
            stderr,
          };
          if (result.exitCode !== 0 && !options.allowFailure) return reject(commandError(result, spawnError));
          resolve(result);
        });
      });
    },
  };
}

function aborted(command: string, args: readonly string[], cause: unknown): NsError {
  return new NsError("ERR_NS_ABORTED", `${command} ${args.join(" ")} was cancelled`, {
    hint: "the caller aborted the operation",
    cause,
    details: { command, args: [...args] },
  });
}
