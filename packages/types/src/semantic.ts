import { forwardsConflict } from "./config.ts";
import type { ConfigIssue } from "./errors.ts";
import {
  canonicalIp,
  formatSubnet,
  type IpFamily,
  ipFamily,
  ipRange,
  maxPrefix,
  subnetContains,
  subnetOf,
} from "./ip.ts";
import type { IsolationMode } from "./model.ts";

type Raw = Record<string, unknown>;
type Field = "interface" | "portForwards" | "dnsServers" | "bridge" | "uplink";

const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
const isMode = (v: unknown): v is IsolationMode =>
  v === "full" || v === "private" || v === "shared" || v === "bridged";

/** Why each field makes no sense in a mode; a mode missing from a field's entry accepts the field. */
const FORBIDDEN: Record<Field, Partial<Record<IsolationMode, string>>> = {
  interface: {
    full: "not allowed in full mode (only loopback exists)",
    shared: "not allowed in shared mode (the host's interfaces are used)",
  },
  portForwards: {
    full: "not allowed in full mode (nothing can reach the namespace)",
    shared: "not allowed in shared mode (services bind host ports directly)",
    bridged: "not allowed in bridged mode (bridged namespaces are isolated from the host)",
  },
  dnsServers: {
    full: "not allowed in full mode (there is no network to resolve on)",
    shared: "not allowed in shared mode (the host's resolver is used)",
  },
  bridge: {
    full: "only allowed in bridged mode",
    private: "only allowed in bridged mode",
    shared: "only allowed in bridged mode",
  },
  uplink: {
    full: "only allowed in private mode",
    shared: "only allowed in private mode",
    bridged: "only allowed in private mode",
  },
};

/** Whether a field is really set: an empty list counts as absent, so the factories' defaults pass. */
function isSet(raw: Raw, field: Field): boolean {
  const v = raw[field];
  return Array.isArray(v) ? v.length > 0 : v !== undefined;
}

function modeIssues(raw: Raw): ConfigIssue[] {
  const mode = raw.mode;
  if (!isMode(mode)) return [];
  const issues: ConfigIssue[] = [];
  for (const field of Object.keys(FORBIDDEN) as Field[]) {
    const why = FORBIDDEN[field][mode];
    if (why !== undefined && isSet(raw, field)) issues.push({ field, message: why });
  }
  const iface = raw.interface;
  if (mode === "bridged") {
    if (raw.bridge === undefined) issues.push({ field: "bridge", message: "required in bridged mode" });
    if (isObject(iface) && iface.gateway !== undefined)
      issues.push({
        field: "interface.gateway",
        message: "not allowed in bridged mode (there is no gateway)",
      });
  }
  if (mode === "private" && isObject(iface) && iface.gateway === undefined)
    issues.push({ field: "interface.gateway", message: "required with a custom interface in private mode" });
  return issues;
}

/** Why an address cannot be used as a unicast endpoint, or undefined. */
function notUnicast(addr: string, allowLoopback: boolean): string | undefined {
  const range = ipRange(addr);
  if (range === "unspecified") return `${addr} is the unspecified address`;
  if (range === "multicast" || range === "broadcast") return `${addr} is a ${range} address`;
  if (range === "loopback" && !allowLoopback) return `${addr} is a loopback address`;
  return undefined;
}

function interfaceIssues(iface: unknown): ConfigIssue[] {
  if (!isObject(iface)) return [];
  const addr = iface.ipAddr;
  const prefix = iface.prefixLen;
  const family = typeof addr === "string" ? ipFamily(addr) : undefined;
  if (family === undefined || typeof prefix !== "number" || !Number.isInteger(prefix)) return [];
  const issues: ConfigIssue[] = [];
  const max = maxPrefix(family);
  if (family === 6 && typeof iface.mtu === "number" && iface.mtu < 1280)
    issues.push({ field: "interface.mtu", message: "must be at least 1280 for IPv6" });
  const bad = notUnicast(addr as string, false);
  if (bad) issues.push({ field: "interface.ipAddr", message: `${bad}; use a unicast address` });
  // A /32 or /128 leaves no room for a gateway or a peer: the namespace could talk to nobody.
  if (prefix < 1 || prefix > max - 1) {
    issues.push({
      field: "interface.prefixLen",
      message: `must be 1..${max - 1} for an IPv${family} address`,
    });
    return issues;
  }
  const subnet = subnetOf(addr as string, prefix);
  const broadcast = subnet.network | ((1n << BigInt(max - prefix)) - 1n);
  // IPv4 /31 (RFC 3021) has no network or broadcast address; IPv6 has no broadcast at all.
  const edge = (a: string) => {
    if (family !== 4 || prefix >= 31) return false;
    const n = subnetOf(a, max).network;
    return n === subnet.network || n === broadcast;
  };
  if (!bad && edge(addr as string))
    issues.push({
      field: "interface.ipAddr",
      message: `${addr} is the network or broadcast address of its /${prefix}`,
    });
  const gw = iface.gateway;
  if (typeof gw !== "string" || ipFamily(gw) === undefined) return issues;
  const problem =
    ipFamily(gw) !== family
      ? "must be the same IP family as ipAddr"
      : !subnetContains(subnet, gw)
        ? `${gw} is outside the subnet ${formatSubnet(subnet)}`
        : canonicalIp(gw) === canonicalIp(addr as string)
          ? "must differ from ipAddr"
          : edge(gw)
            ? `${gw} is the network or broadcast address of its /${prefix}`
            : notUnicast(gw, false);
  if (problem) issues.push({ field: "interface.gateway", message: problem });
  return issues;
}

type ForwardLike = { hostPort: number; protocol: "tcp" | "udp"; hostAddr?: string };
const forwardLike = (f: unknown): f is ForwardLike =>
  isObject(f) &&
  typeof f.hostPort === "number" &&
  (f.protocol === "tcp" || f.protocol === "udp") &&
  (f.hostAddr === undefined || typeof f.hostAddr === "string");

function forwardIssues(forwards: unknown[], ifaceFamily: IpFamily | undefined): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  forwards.forEach((f, i) => {
    if (!isObject(f) || typeof f.hostAddr !== "string") return;
    const family = ipFamily(f.hostAddr);
    if (family === undefined) return;
    const bad = notUnicast(f.hostAddr, true);
    if (bad)
      issues.push({
        field: `portForwards.${i}.hostAddr`,
        message: `${bad}; omit hostAddr to forward on every host address`,
      });
    else if (ifaceFamily !== undefined && family !== ifaceFamily)
      issues.push({
        field: `portForwards.${i}.hostAddr`,
        message: `an IPv${family} host address cannot forward to the IPv${ifaceFamily} interface`,
      });
  });
  forwards.forEach((f, i) => {
    if (!forwardLike(f)) return;
    const j = forwards.findIndex((g, k) => k < i && forwardLike(g) && forwardsConflict(g, f));
    if (j >= 0)
      issues.push({
        field: `portForwards.${i}`,
        message: `duplicate forward of host port ${f.protocol}/${f.hostPort} (also portForwards.${j})`,
      });
  });
  return issues;
}

function dnsIssues(dns: unknown[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  dns.forEach((d, i) => {
    if (typeof d !== "string" || ipFamily(d) === undefined) return;
    const key = canonicalIp(d);
    if (seen.has(key)) issues.push({ field: `dnsServers.${i}`, message: `duplicate server ${d}` });
    seen.add(key);
  });
  return issues;
}

/** Checks that span fields; works on the raw input so that it reports alongside the schema's problems. */
export function semanticIssues(raw: Raw): ConfigIssue[] {
  const iface = raw.interface;
  const ifaceFamily =
    isObject(iface) && typeof iface.ipAddr === "string" ? ipFamily(iface.ipAddr) : undefined;
  return [
    ...modeIssues(raw),
    ...interfaceIssues(iface),
    ...forwardIssues(Array.isArray(raw.portForwards) ? raw.portForwards : [], ifaceFamily),
    ...dnsIssues(Array.isArray(raw.dnsServers) ? raw.dnsServers : []),
  ];
}
