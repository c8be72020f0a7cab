import { z } from "zod";
import type { NamespaceConfig } from "./config.ts";
import { forwardsConflict } from "./config.ts";
import { type ConfigIssue, InvalidConfigError } from "./errors.ts";
import { ipFamily, maxPrefix, subnetContains, subnetOf } from "./ip.ts";

/** Longest id accepted. */
export const MAX_ID_LENGTH = 48;
/** At most this many DNS servers (the resolver reads three). */
export const MAX_DNS_SERVERS = 3;
/** At most this many port forwards per namespace. */
export const MAX_PORT_FORWARDS = 256;

const ID_RE = /^[a-z0-9][a-z0-9_-]*$/;
const BRIDGE_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const LABEL_KEY_RE = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,62}$/;

/** Why an interface name is unusable, or undefined when the kernel accepts it. */
export function interfaceNameProblem(name: string): string | undefined {
  if (name.length === 0) return "must not be empty";
  if (Buffer.byteLength(name, "utf8") > 15) return "must be at most 15 bytes (kernel IFNAMSIZ)";
  if (name === "." || name === "..") return "must not be . or ..";
  if (/[/%:\s]/u.test(name)) return "must not contain '/', '%', ':' or whitespace";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
  if (/[\u0000-\u001f\u007f]/.test(name)) return "must not contain control characters";
  return undefined;
}

const ip = z.string().refine((v) => ipFamily(v) !== undefined, {
  message: "must be an IPv4 (dotted quad) or IPv6 address",
});
const port = z.number().int("must be an integer").min(1, "must be 1..65535").max(65535, "must be 1..65535");
const ifname = z.string().superRefine((v, ctx) => {
  const p = interfaceNameProblem(v);
  if (p) ctx.addIssue({ code: "custom", message: p });
});

const interfaceSchema = z.strictObject({
  name: ifname,
  ipAddr: ip,
  prefixLen: z
    .number()
    .int("must be an integer")
    .min(1, "must be at least 1")
    .max(128, "must be at most 128"),
  gateway: ip.optional(),
  mtu: z.number().int("must be an integer").min(68, "must be 68..65535").max(65535, "must be 68..65535"),
});

const forwardSchema = z.strictObject({
  hostPort: port,
  nsPort: port,
  protocol: z.enum(["tcp", "udp"], "must be tcp or udp"),
  hostAddr: ip.optional(),
});

const configSchema = z.strictObject({
  id: z
    .string()
    .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
    .regex(ID_RE, "must be lowercase letters, digits, '-' or '_', starting with a letter or digit"),
  pid: z
    .number()
    .int("must be an integer")
    .min(1, "must be a positive pid")
    .max(4194304, "must be at most 4194304")
    .optional(),
  mode: z.enum(["full", "private", "shared", "bridged"], "must be full, private, shared or bridged"),
  interface: interfaceSchema.optional(),
  portForwards: z.array(forwardSchema).max(MAX_PORT_FORWARDS, `at most ${MAX_PORT_FORWARDS} forwards`),
  dnsServers: z
    .array(ip)
    .max(MAX_DNS_SERVERS, `at most ${MAX_DNS_SERVERS} servers (the resolver reads three)`),
  bridge: z
    .string()
    .min(1, "must not be empty")
    .max(32, "must be at most 32 characters")
    .regex(BRIDGE_RE, "must be letters, digits, '.', '-' or '_', starting with a letter or digit")
    .optional(),
  uplink: ifname.optional(),
  labels: z
    .record(
      z.string().regex(LABEL_KEY_RE, "label keys are 1-63 letters, digits, '.', '/', '-', '_'"),
      z.string().max(256, "label values are at most 256 characters"),
    )
    .optional(),
});

/** Result of validateConfig: the typed config, or every problem found. */
export type ValidationResult = { ok: true; config: NamespaceConfig } | { ok: false; issues: ConfigIssue[] };

type Raw = Record<string, unknown>;
const has = (o: Raw, k: string) => o[k] !== undefined;

/** Checks that span fields; works on raw input so that it reports alongside schema problems. */
function semanticIssues(raw: Raw): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const mode = raw.mode;
  const forwards = Array.isArray(raw.portForwards) ? (raw.portForwards as Raw[]) : [];
  const dns = Array.isArray(raw.dnsServers) ? (raw.dnsServers as unknown[]) : [];
  const forbid = (field: string, why: string) => {
    if (
      field === "portForwards"
        ? forwards.length > 0
        : field === "dnsServers"
          ? dns.length > 0
          : has(raw, field)
    )
      issues.push({ field, message: why });
  };
  if (mode === "full") {
    forbid("interface", "not allowed in full mode (only loopback exists)");
    forbid("portForwards", "not allowed in full mode (nothing can reach the namespace)");
    forbid("dnsServers", "not allowed in full mode (there is no network to resolve on)");
    forbid("bridge", "only allowed in bridged mode");
    forbid("uplink", "only allowed in private mode");
  } else if (mode === "shared") {
    forbid("interface", "not allowed in shared mode (the host's interfaces are used)");
    forbid("portForwards", "not allowed in shared mode (services bind host ports directly)");
    forbid("dnsServers", "not allowed in shared mode (the host's resolver is used)");
    forbid("bridge", "only allowed in bridged mode");
    forbid("uplink", "only allowed in private mode");
  } else if (mode === "bridged") {
    if (!has(raw, "bridge")) issues.push({ field: "bridge", message: "required in bridged mode" });
    forbid("portForwards", "not allowed in bridged mode (bridged namespaces are isolated from the host)");
    forbid("uplink", "only allowed in private mode");
    const iface = raw.interface as Raw | undefined;
    if (iface && iface.gateway !== undefined)
      issues.push({
        field: "interface.gateway",
        message: "not allowed in bridged mode (there is no gateway)",
      });
  } else if (mode === "private") {
    forbid("bridge", "only allowed in bridged mode");
    const iface = raw.interface as Raw | undefined;
    if (iface && typeof iface === "object" && iface.gateway === undefined)
      issues.push({
        field: "interface.gateway",
        message: "required with a custom interface in private mode",
      });
  }
  issues.push(...interfaceIssues(raw.interface));
  issues.push(...duplicateForwardIssues(forwards));
  const seen = new Set<unknown>();
  dns.forEach((d, i) => {
    if (seen.has(d)) issues.push({ field: `dnsServers.${i}`, message: `duplicate server ${String(d)}` });
    seen.add(d);
  });
  return issues;
}

function interfaceIssues(value: unknown): ConfigIssue[] {
  if (typeof value !== "object" || value === null) return [];
  const iface = value as Raw;
  const issues: ConfigIssue[] = [];
  const addr = typeof iface.ipAddr === "string" ? iface.ipAddr : "";
  const family = ipFamily(addr);
  const prefix = iface.prefixLen;
  if (family === undefined || typeof prefix !== "number" || !Number.isInteger(prefix)) return issues;
  const max = maxPrefix(family);
  if (prefix < 1 || prefix > max - 1) {
    issues.push({
      field: "interface.prefixLen",
      message: `must be 1..${max - 1} for an IPv${family} address`,
    });
    return issues;
  }
  const subnet = subnetOf(addr, prefix);
  const hostBits = BigInt(max - prefix);
  const broadcast = subnet.network | ((1n << hostBits) - 1n);
  const isEdge = (a: string) => {
    if (family !== 4 || prefix >= 31) return false;
    const s = subnetOf(a, max);
    return s.network === subnet.network || s.network === broadcast;
  };
  if (isEdge(addr))
    issues.push({
      field: "interface.ipAddr",
      message: `${addr} is the network or broadcast address of its /${prefix}`,
    });
  if (family === 6 && typeof iface.mtu === "number" && iface.mtu < 1280)
    issues.push({ field: "interface.mtu", message: "must be at least 1280 for IPv6" });
  const gw = iface.gateway;
  if (typeof gw === "string" && ipFamily(gw) !== undefined) {
    if (ipFamily(gw) !== family)
      issues.push({ field: "interface.gateway", message: "must be the same IP family as ipAddr" });
    else if (!subnetContains(subnet, gw))
      issues.push({ field: "interface.gateway", message: `${gw} is outside the subnet ${addr}/${prefix}` });
    else if (gw === addr || subnetOf(gw, max).network === subnetOf(addr, max).network)
      issues.push({ field: "interface.gateway", message: "must differ from ipAddr" });
    else if (isEdge(gw))
      issues.push({
        field: "interface.gateway",
        message: `${gw} is the network or broadcast address of its /${prefix}`,
      });
  }
  return issues;
}

function duplicateForwardIssues(forwards: Raw[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const ok = (f: Raw) =>
    typeof f === "object" &&
    f !== null &&
    typeof f.hostPort === "number" &&
    (f.protocol === "tcp" || f.protocol === "udp") &&
    (f.hostAddr === undefined || typeof f.hostAddr === "string");
  forwards.forEach((f, i) => {
    if (!ok(f)) return;
    for (let j = 0; j < i; j++) {
      const g = forwards[j]!;
      if (ok(g) && forwardsConflict(g as never, f as never)) {
        issues.push({
          field: `portForwards.${i}`,
          message: `duplicate forward of host port ${String(f.protocol)}/${String(f.hostPort)} (also portForwards.${j})`,
        });
        break;
      }
    }
  });
  return issues;
}

/** Validates any input as a NamespaceConfig and returns every problem at once, each naming its field. */
export function validateConfig(input: unknown): ValidationResult {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return { ok: false, issues: [{ field: "(root)", message: "must be an object" }] };
  const parsed = configSchema.safeParse(input);
  const issues: ConfigIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({
        field: i.path.length > 0 ? i.path.map(String).join(".") : "(root)",
        message: i.code === "unrecognized_keys" ? `unknown field(s): ${i.keys.join(", ")}` : i.message,
      }));
  for (const s of semanticIssues(input as Raw)) {
    if (!issues.some((i) => i.field === s.field && i.message === s.message)) issues.push(s);
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, config: parsed.data as NamespaceConfig };
}

/** Validates and returns the config, or throws InvalidConfigError (ERR_NS_INVALID_CONFIG) listing every issue. */
export function parseConfig(input: unknown): NamespaceConfig {
  const result = validateConfig(input);
  if (!result.ok) throw new InvalidConfigError(result.issues);
  return result.config;
}
