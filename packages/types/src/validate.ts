import type { z } from "zod/mini";
import type { NamespaceConfig } from "./config.ts";
import { type ConfigIssue, InvalidConfigError } from "./errors.ts";
import { configSchema } from "./schema.ts";
import { semanticIssues } from "./semantic.ts";

export {
  interfaceNameProblem,
  MAX_BRIDGE_LENGTH,
  MAX_DNS_SERVERS,
  MAX_ID_LENGTH,
  MAX_PID,
  MAX_PORT_FORWARDS,
} from "./schema.ts";

/** Result of validateConfig: the typed config, or every problem found. */
export type ValidationResult = { ok: true; config: NamespaceConfig } | { ok: false; issues: ConfigIssue[] };

const ARTICLE: Record<string, string> = {
  array: "an array",
  object: "an object",
  record: "an object",
  integer: "an integer",
};

/** Messages for zod's built-in checks that carry no message of ours (missing fields, wrong types). */
function builtinMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== "invalid_type") return undefined;
  if (issue.input === undefined) return "is required";
  return `must be ${ARTICLE[issue.expected] ?? `a ${issue.expected}`}`;
}

const join = (path: readonly PropertyKey[]) => path.map(String).join(".");

/** Flattens zod's issues into ConfigIssues, one per field (an unknown key is named as its own field). */
function schemaIssues(error: z.core.$ZodError): ConfigIssue[] {
  return error.issues.flatMap((i): ConfigIssue[] => {
    if (i.code === "unrecognized_keys")
      return i.keys.map((k) => ({ field: join([...i.path, k]), message: "unknown field" }));
    if (i.code === "invalid_key")
      return [{ field: join(i.path), message: i.issues[0]?.message ?? "invalid key" }];
    return [{ field: i.path.length > 0 ? join(i.path) : "(root)", message: i.message }];
  });
}

// Explicit `undefined` (`{ gateway: undefined }`) would not survive JSON: drop it so results compare equal.
function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
  return out as T;
}

/**
 * Validates any input as a NamespaceConfig and returns every problem at once, each naming its field.
 * Never mutates the input; on success returns a fresh copy with `portForwards`/`dnsServers` defaulted to [].
 */
export function validateConfig(input: unknown): ValidationResult {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return { ok: false, issues: [{ field: "(root)", message: "must be an object" }] };
  const parsed = configSchema.safeParse(input, { error: builtinMessage });
  const issues: ConfigIssue[] = parsed.success ? [] : schemaIssues(parsed.error);
  for (const s of semanticIssues(input as Record<string, unknown>)) {
    if (!issues.some((i) => i.field === s.field && i.message === s.message)) issues.push(s);
  }
  if (!parsed.success || issues.length > 0) return { ok: false, issues };
  return { ok: true, config: withoutUndefined(parsed.data) as NamespaceConfig };
}

/** Validates and returns the config, or throws InvalidConfigError (ERR_NS_INVALID_CONFIG) listing every issue. */
export function parseConfig(input: unknown): NamespaceConfig {
  const result = validateConfig(input);
  if (!result.ok) throw new InvalidConfigError(result.issues);
  return result.config;
}
