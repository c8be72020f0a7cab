import { NsError } from "@ns/types";
import { execa } from "execa";
import { type CommandResult, type CommandRunner, commandError, type RunOptions } from "./runner.ts";

/** The real runner: spawns programs with execa, no shell. */
export function createExecRunner(defaults: { env?: Record<string, string> } = {}): CommandRunner {
  return {
    async run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
      const r = await execa(command, args, {
        input: options.input,
        cancelSignal: options.signal,
        timeout: options.timeoutMs,
        reject: false,
        stripFinalNewline: false,
        env: defaults.env,
        stdin: options.input === undefined ? "ignore" : "pipe",
      });
      if (r.isCanceled)
        throw new NsError("ERR_NS_ABORTED", `${command} ${args.join(" ")} was cancelled`, {
          hint: "the caller aborted the operation",
          cause: r,
          details: { command, args: [...args] },
        });
      const result: CommandResult = {
        command,
        args,
        exitCode: typeof r.exitCode === "number" ? r.exitCode : -1,
        stdout: String(r.stdout ?? ""),
        stderr:
          String(r.stderr ?? "") + (r.failed && r.exitCode === undefined ? String(r.message ?? "") : ""),
      };
      if (result.exitCode !== 0 && !options.allowFailure) throw commandError(result, r.cause ?? undefined);
      return result;
    },
  };
}
