import { type ConfigIssue, isNsError, NsError, type NsErrorCode } from "@ns/types";

/** Exit code: success. */
export const EXIT_OK = 0;
/** Exit code: the operation failed. */
export const EXIT_FAILED = 1;
/** Exit code: invalid usage or configuration; nothing was created. */
export const EXIT_USAGE = 2;

const USAGE_CODES: readonly NsErrorCode[] = ["ERR_NS_INVALID_CONFIG"];

/** A command-line mistake (exit 2): names the bad value and what is accepted. */
export function usageError(
  message: string,
  hint = "run `ns help <command>` for the options and examples",
): NsError {
  return new NsError("ERR_NS_INVALID_CONFIG", message, { hint, details: { usage: true } });
}

/** The only place NsError codes become exit codes. */
export function exitCodeFor(error: unknown): number {
  if (isNsError(error) && USAGE_CODES.includes(error.code)) return EXIT_USAGE;
  return EXIT_FAILED;
}

/** `error: ...` and `hint: ...` lines (and the stack with --debug). */
export function formatError(error: unknown, debug: boolean): string {
  const e = isNsError(error) ? error : undefined;
  const message = e?.message ?? (error instanceof Error ? error.message : String(error));
  const lines = [`error: ${message}`];
  const issues = (e?.details as { issues?: ConfigIssue[] } | undefined)?.issues;
  if (issues && issues.length > 1) for (const i of issues) lines.push(`  - ${i.field}: ${i.message}`);
  if (e?.hint) lines.push(`hint: ${e.hint}`);
  if (debug && error instanceof Error) {
    lines.push(error.stack ?? "");
    let cause = error.cause;
    while (cause instanceof Error) {
      lines.push(`caused by: ${cause.stack ?? cause.message}`);
      cause = cause.cause;
    }
  }
  return `${lines.join("\n")}\n`;
}

/** JSON shape of an error for --json output: `{ "error": { code, message, hint, details } }`. */
export function errorJson(error: unknown): { error: Record<string, unknown> } {
  const e = isNsError(error) ? error : undefined;
  return {
    error: {
      code: e?.code ?? "ERR_NS_INTERNAL",
      message: e?.message ?? (error instanceof Error ? error.message : String(error)),
      hint: e?.hint ?? null,
      details: e?.details ?? {},
    },
  };
}
