// zod/mini: the same engine as zod without the method-chaining API, which costs ~10 ms of start-up in every CLI call.
import { z } from "zod/mini";
import { ipFamily } from "./ip.ts";

/** Longest id accepted. */
export const MAX_ID_LENGTH = 48;
/** At most this many DNS servers (the resolver reads three). */
export const MAX_DNS_SERVERS = 3;
/** At most this many port forwards per namespace. */
export const MAX_PORT_FORWARDS = 256;
/** Longest bridge name accepted (a logical name: backends derive the kernel object's name from it). */
export const MAX_BRIDGE_LENGTH = 32;
/** Largest pid any supported kernel hands out (Linux PID_MAX_LIMIT is 2^22, pids stay below it). */
export const MAX_PID = 4_194_303;

const ID_RE = /^[a-z0-9][a-z0-9_-]*$/;
const BRIDGE_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const LABEL_KEY_RE = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,62}$/;

/** Why an interface name is unusable, or undefined when the kernel accepts it. */
export function interfaceNameProblem(name: string): string | undefined {
  if (typeof name !== "string") return "must be a string";
  if (name.length === 0) return "must not be empty";
  if (Buffer.byteLength(name, "utf8") > 15) return "must be at most 15 bytes (kernel IFNAMSIZ)";
  if (name === "." || name === "..") return "must not be . or ..";
  // The kernel refuses '/', ':' and whitespace; '%' is a printf pattern to `ip link add` (eth%d).
  if (/[/%:\s]/u.test(name)) return "must not contain '/', '%', ':' or whitespace";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
  if (/[\u0000-\u001f\u007f]/.test(name)) return "must not contain control characters";
  return undefined;
}

const ip = z
  .string()
  .check(
    z.refine((v) => ipFamily(v) !== undefined, { message: "must be an IPv4 (dotted quad) or IPv6 address" }),
  );
const int = (...checks: z.core.$ZodCheck<number>[]) =>
  z.number().check(z.int("must be an integer"), ...checks);
const port = int(z.minimum(1, "must be 1..65535"), z.maximum(65535, "must be 1..65535"));
const ifname = z.string().check(
  z.superRefine((v, ctx) => {
    const p = interfaceNameProblem(v);
    if (p) ctx.addIssue({ code: "custom", message: p });
  }),
);

const interfaceSchema = z.strictObject({
  name: ifname,
  ipAddr: ip,
  prefixLen: int(z.minimum(1, "must be at least 1"), z.maximum(128, "must be at most 128")),
  gateway: z.optional(ip),
  mtu: int(z.minimum(68, "must be 68..65535"), z.maximum(65535, "must be 68..65535")),
});

const forwardSchema = z.strictObject({
  hostPort: port,
  nsPort: port,
  protocol: z.enum(["tcp", "udp"], "must be tcp or udp"),
  hostAddr: z.optional(ip),
});

/** Shape of a NamespaceConfig, field by field; rules that span fields live in semantic.ts. */
export const configSchema = z.strictObject({
  id: z
    .string()
    .check(
      z.minLength(1, { error: "must not be empty", abort: true }),
      z.maxLength(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`),
      z.regex(ID_RE, "must be lowercase letters, digits, '-' or '_', starting with a letter or digit"),
    ),
  pid: z.optional(
    int(z.minimum(1, "must be a positive pid"), z.maximum(MAX_PID, `must be at most ${MAX_PID}`)),
  ),
  mode: z.enum(["full", "private", "shared", "bridged"], "must be full, private, shared or bridged"),
  interface: z.optional(interfaceSchema),
  portForwards: z._default(
    z.array(forwardSchema).check(z.maxLength(MAX_PORT_FORWARDS, `at most ${MAX_PORT_FORWARDS} forwards`)),
    () => [],
  ),
  dnsServers: z._default(
    z
      .array(ip)
      .check(z.maxLength(MAX_DNS_SERVERS, `at most ${MAX_DNS_SERVERS} servers (the resolver reads three)`)),
    () => [],
  ),
  bridge: z.optional(
    z
      .string()
      .check(
        z.minLength(1, { error: "must not be empty", abort: true }),
        z.maxLength(MAX_BRIDGE_LENGTH, `must be at most ${MAX_BRIDGE_LENGTH} characters`),
        z.regex(BRIDGE_RE, "must be letters, digits, '.', '-' or '_', starting with a letter or digit"),
      ),
  ),
  uplink: z.optional(ifname),
  labels: z.optional(
    z.record(
      z.string().check(z.regex(LABEL_KEY_RE, "label keys are 1-63 letters, digits, '.', '/', '-', '_'")),
      z.string().check(z.maxLength(256, "label values are at most 256 characters")),
    ),
  ),
});
