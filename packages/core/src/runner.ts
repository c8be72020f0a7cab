import { NsError, type NsErrorCode } from "@ns/types";

/** Result of one external command. */
export interface CommandResult {
  /** Program run. */
  command: string;
  /** Its arguments. */
  args: readonly string[];
  /** Exit code (-1 when it could not start or was killed). */
  exitCode: number;
  /** Captured standard output. */
  stdout: string;
  /** Captured standard error. */
  stderr: string;
}

/** Options of one command run. */
export interface RunOptions {
  /** Text fed to standard input (e.g. an `ip -batch -` or `nft -f -` script). */
  input?: string;
  /** Cancels the command. */
  signal?: AbortSignal;
  /** Return a non-zero exit instead of throwing. */
  allowFailure?: boolean;
  /** Milliseconds before the command is killed. */
  timeoutMs?: number;
}

/** Runs external programs; every backend's OS work goes through one. */
export interface CommandRunner {
  /** Runs `command args...`; throws ERR_NS_COMMAND_FAILED (or a more precise code) on a non-zero exit unless allowFailure. */
  run(command: string, args: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

/** Picks a precise code and hint for a failed command from its stderr. */
export function classifyFailure(result: CommandResult): { code: NsErrorCode; hint: string } {
  const err = result.stderr;
  if (result.exitCode === -1 && /ENOENT|not found/i.test(err))
    return {
      code: "ERR_NS_TOOL_MISSING",
      hint: `install ${result.command} (Debian: apt-get install ${toolPackage(result.command)})`,
    };
  if (/Operation not permitted|Permission denied|EPERM|EACCES|must be run as root/i.test(err))
    return {
      code: "ERR_NS_PERMISSION",
      hint: "run as root or grant CAP_NET_ADMIN (and CAP_SYS_ADMIN for named namespaces)",
    };
  if (/File exists|already exists|EEXIST/i.test(err))
    return {
      code: "ERR_NS_NAME_IN_USE",
      hint: "a kernel object of that name exists; run `ns gc` to remove leftovers",
    };
  return {
    code: "ERR_NS_COMMAND_FAILED",
    hint: `\`${result.command}\` failed; see stderr in the error details`,
  };
}

function toolPackage(command: string): string {
  const map: Record<string, string> = {
    nft: "nftables",
    ip: "iproute2",
    conntrack: "conntrack",
    nsenter: "util-linux",
    flock: "util-linux",
  };
  return map[command] ?? command;
}

/** The error thrown for a failed command: carries command, args, exit code and stderr. */
export function commandError(result: CommandResult, cause?: unknown): NsError {
  const { code, hint } = classifyFailure(result);
  const first = result.stderr.trim().split("\n").slice(0, 3).join(" / ");
  return new NsError(code, `${result.command} ${result.args.join(" ")} exited ${result.exitCode}: ${first}`, {
    hint,
    cause,
    details: {
      command: result.command,
      args: [...result.args],
      exitCode: result.exitCode,
      stderr: result.stderr,
    },
  });
}
