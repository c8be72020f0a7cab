/** Every stable error code ns can raise; check `error.code`, never `instanceof`. */
export const NS_ERROR_CODES = [
  "ERR_NS_INVALID_CONFIG",
  "ERR_NS_NOT_FOUND",
  "ERR_NS_EXISTS",
  "ERR_NS_ADDRESS_IN_USE",
  "ERR_NS_POOL_EXHAUSTED",
  "ERR_NS_PORT_IN_USE",
  "ERR_NS_UNSUPPORTED",
  "ERR_NS_PERMISSION",
  "ERR_NS_BACKEND_MISSING",
  "ERR_NS_TOOL_MISSING",
  "ERR_NS_COMMAND_FAILED",
  "ERR_NS_NAME_IN_USE",
  "ERR_NS_TEARDOWN",
  "ERR_NS_STATE",
  "ERR_NS_CAPABILITY_DENIED",
  "ERR_NS_ABORTED",
  "ERR_NS_INTERNAL",
] as const;

/** A stable machine-readable error code. */
export type NsErrorCode = (typeof NS_ERROR_CODES)[number];

/** Options carried by every NsError. */
export interface NsErrorOptions {
  /** What the user can do about it. */
  hint?: string;
  /** The underlying error. */
  cause?: unknown;
  /** Structured facts (field names, command, exit code...). */
  details?: Record<string, unknown>;
}

/** The one error class of ns: a stable code, a message, a hint and a cause. */
export class NsError extends Error {
  /** Stable code, e.g. ERR_NS_PORT_IN_USE. */
  readonly code: NsErrorCode;
  /** What to do about it, in one sentence. */
  readonly hint: string | undefined;
  /** Structured facts about the failure. */
  readonly details: Record<string, unknown>;

  constructor(code: NsErrorCode, message: string, options: NsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "NsError";
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  /** A JSON-safe view (for --json output and the daemon API). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      hint: this.hint,
      details: this.details,
    };
  }
}

/** True when `value` is an NsError (optionally with the given code), also one from a duplicated copy of this package. */
export function isNsError(value: unknown, code?: NsErrorCode): value is NsError {
  // Duck-typed on purpose: `instanceof NsError` fails across duplicated packages, `instanceof Error` does not.
  if (!(value instanceof Error)) return false;
  const c = (value as { code?: unknown }).code;
  if (typeof c !== "string" || !c.startsWith("ERR_NS_")) return false;
  return code === undefined || c === code;
}

function isAbort(value: unknown): boolean {
  return value instanceof Error && (value.name === "AbortError" || value.name === "TimeoutError");
}

/**
 * Wraps anything thrown into an NsError, keeping NsErrors as they are. Without an explicit code, aborts
 * (AbortError, TimeoutError) become ERR_NS_ABORTED and everything else ERR_NS_INTERNAL.
 */
export function toNsError(value: unknown, code?: NsErrorCode): NsError {
  if (isNsError(value)) return value;
  const message =
    value instanceof Error
      ? value.message
      : typeof (value as { message?: unknown })?.message === "string"
        ? (value as { message: string }).message
        : String(value);
  return new NsError(code ?? (isAbort(value) ? "ERR_NS_ABORTED" : "ERR_NS_INTERNAL"), message, {
    cause: value,
  });
}

/** One problem found in a config, naming its field (dotted path). */
export interface ConfigIssue {
  /** Dotted path of the offending field, e.g. `portForwards.1.hostPort`. */
  field: string;
  /** What is wrong and what is accepted. */
  message: string;
}

/** Raised when a config is invalid; `issues` lists every problem at once. */
export class InvalidConfigError extends NsError {
  /** Every problem found. */
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    const summary = issues.map((i) => `${i.field}: ${i.message}`).join("; ");
    const copy = issues.map((i) => ({ field: i.field, message: i.message }));
    super("ERR_NS_INVALID_CONFIG", `invalid namespace config: ${summary}`, {
      hint: "fix the named fields; nothing was created",
      details: { issues: copy },
    });
    this.issues = copy;
  }
}

/** Raised when a teardown step failed; teardown went on and `failures` lists every step that failed. */
export class TeardownError extends NsError {
  /** Every failed step, in order. */
  readonly failures: readonly NsError[];
  constructor(id: string, failures: readonly NsError[]) {
    // Callers collect with `.catch(e => failures.push(e))`: wrap stray non-NsErrors rather than crash here, and
    // list the steps of a nested teardown, not the teardown.
    const all = failures.flatMap(teardownFailures);
    super(
      "ERR_NS_TEARDOWN",
      `teardown of ${id} had ${all.length} failed step(s): ${all.map((f) => f.message).join("; ")}`,
      {
        hint: "run `ns gc` to retry the cleanup of leftovers",
        details: { id, failures: all.map((f) => f.toJSON()) },
      },
    );
    this.failures = all;
  }
}

/**
 * The failed steps an error stands for: a TeardownError's own failures, anything else as one NsError. Goes by
 * code, not `instanceof`, so it also works with a second copy of this package installed.
 */
export function teardownFailures(e: unknown): NsError[] {
  const err = toNsError(e);
  const failures = isNsError(err, "ERR_NS_TEARDOWN") ? (err as Partial<TeardownError>).failures : undefined;
  return failures ? [...failures] : [err];
}
