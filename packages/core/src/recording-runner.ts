import { type CommandResult, type CommandRunner, commandError, type RunOptions } from "./runner.ts";

/** One command seen by a recording runner. */
export interface RecordedCommand {
  command: string;
  args: string[];
  input?: string;
}

/** Answer of a fake command: partial result (exit 0 and empty output by default). */
export type FakeResponse = Partial<Pick<CommandResult, "exitCode" | "stdout" | "stderr">>;

/** A runner for unit tests: records every command and answers with `respond`. */
export interface RecordingRunner extends CommandRunner {
  /** Everything run so far, in order. */
  readonly calls: RecordedCommand[];
  /** Calls rendered as shell-like lines (`ip -batch -` plus its input). */
  lines(): string[];
  /** Forgets recorded calls. */
  reset(): void;
}

/** Creates a recording runner; `respond` decides each command's result. */
export function createRecordingRunner(
  respond: (call: RecordedCommand) => FakeResponse | undefined | Promise<FakeResponse | undefined> = () =>
    undefined,
): RecordingRunner {
  const calls: RecordedCommand[] = [];
  return {
    calls,
    lines: () =>
      calls.map((c) => [c.command, ...c.args].join(" ") + (c.input ? `\n${c.input.trimEnd()}` : "")),
    reset: () => {
      calls.length = 0;
    },
    async run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
      const call: RecordedCommand = { command, args: [...args] };
      if (options.input !== undefined) call.input = options.input;
      calls.push(call);
      const r = (await respond(call)) ?? {};
      const result: CommandResult = {
        command,
        args,
        exitCode: r.exitCode ?? 0,
        stdout: r.stdout ?? "",
        stderr: r.stderr ?? "",
      };
      if (result.exitCode !== 0 && !options.allowFailure) throw commandError(result);
      return result;
    },
  };
}
