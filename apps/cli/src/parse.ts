import {
  type ConfigIssue,
  ISOLATION_MODES,
  type IsolationMode,
  type NamespaceConfig,
  newNamespaceId,
  type PortForward,
  validateConfig,
} from "@ns/types";
import { usageError } from "./errors.ts";

/** Options shared by `ns run` and `ns create`, as commander hands them over (strings). */
export interface NamespaceOptions {
  mode?: string;
  forward?: string[];
  dns?: string[];
  ip?: string;
  gateway?: string;
  mtu?: string;
  bridge?: string;
  uplink?: string;
  label?: string[];
  name?: string;
  pid?: string;
}

const FORWARD_RE = /^(?:(\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d+):(\d+)(?:\/([a-z]+))?$/;

/** `[ADDR:]HOST:NS[/tcp|udp]` -> PortForward; ports are range-checked by validation (so every problem is listed). */
export function parseForward(value: string): PortForward {
  const m = FORWARD_RE.exec(value.trim());
  if (!m)
    throw usageError(
      `invalid --forward ${JSON.stringify(value)}: expected HOST_PORT:NS_PORT[/tcp|udp] or ADDR:HOST_PORT:NS_PORT[/tcp|udp]`,
      "example: --forward 8080:80 or --forward 127.0.0.1:8443:443/tcp",
    );
  const proto = m[4] ?? "tcp";
  if (proto !== "tcp" && proto !== "udp")
    throw usageError(
      `invalid --forward ${JSON.stringify(value)}: protocol ${JSON.stringify(proto)} is not tcp or udp`,
    );
  const f: PortForward = { hostPort: Number(m[2]), nsPort: Number(m[3]), protocol: proto };
  if (m[1] !== undefined) f.hostAddr = m[1].replace(/^\[|\]$/g, "");
  return f;
}

/** `ADDR/PREFIX` -> address and prefix length. */
export function parseCidrOption(value: string): { ipAddr: string; prefixLen: number } {
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(value.trim());
  if (!m)
    throw usageError(
      `invalid --ip ${JSON.stringify(value)}: expected ADDRESS/PREFIX, e.g. 10.210.0.5/24`,
      "give the namespace's address with its prefix length",
    );
  return { ipAddr: m[1]!, prefixLen: Number(m[2]) };
}

/** A strictly positive decimal integer, or a usage error naming the option. */
export function parseInteger(option: string, value: string): number {
  if (!/^\d+$/.test(value.trim()))
    throw usageError(`invalid ${option} ${JSON.stringify(value)}: expected a positive integer`);
  return Number(value);
}

/** The isolation mode, or a usage error listing the accepted ones. */
export function parseMode(value: string | undefined): IsolationMode {
  const v = value ?? "full";
  if (!(ISOLATION_MODES as readonly string[]).includes(v))
    throw usageError(`invalid --mode ${JSON.stringify(v)}: accepted are full, private, shared, bridged`);
  return v as IsolationMode;
}

function parseLabel(value: string): [string, string] {
  const i = value.indexOf("=");
  if (i <= 0) throw usageError(`invalid --label ${JSON.stringify(value)}: expected KEY=VALUE`);
  return [value.slice(0, i), value.slice(i + 1)];
}

/** Turns the options into a validated NamespaceConfig, or a usage error naming every bad option and value. */
export function buildConfig(o: NamespaceOptions): NamespaceConfig {
  const mode = parseMode(o.mode);
  const forwards = (o.forward ?? []).map(parseForward);
  const raw: Record<string, unknown> = {
    id: o.name ?? newNamespaceId(),
    mode,
    portForwards: forwards,
    dnsServers: o.dns ?? [],
  };
  if (o.pid !== undefined) raw.pid = parseInteger("--pid", o.pid);
  if (o.gateway !== undefined && o.ip === undefined)
    throw usageError("--gateway needs --ip (the gateway of a custom address)");
  if (o.mtu !== undefined && o.ip === undefined)
    throw usageError("--mtu needs --ip (the MTU of a custom interface)");
  if (o.ip !== undefined) {
    const iface: Record<string, unknown> = { name: "eth0", ...parseCidrOption(o.ip), mtu: 1500 };
    if (o.gateway !== undefined) iface.gateway = o.gateway;
    if (o.mtu !== undefined) iface.mtu = parseInteger("--mtu", o.mtu);
    raw.interface = iface;
  }
  if (o.bridge !== undefined) raw.bridge = o.bridge;
  if (o.uplink !== undefined) raw.uplink = o.uplink;
  if (o.label !== undefined && o.label.length > 0) raw.labels = Object.fromEntries(o.label.map(parseLabel));
  const result = validateConfig(raw);
  if (result.ok) return result.config;
  const issues = result.issues.map((i) => describeIssue(i, o));
  const err = usageError(
    issues.length === 1 ? issues[0]! : `invalid options: ${issues.join("; ")}`,
    "fix the named options; nothing was created",
  );
  (err.details as Record<string, unknown>).issues = result.issues.map((i, n) => ({
    ...i,
    message: issues[n]!,
  }));
  throw err;
}

const OPTION_OF: [RegExp, string][] = [
  [/^id$/, "--name"],
  [/^pid$/, "--pid"],
  [/^mode$/, "--mode"],
  [/^interface\.gateway$/, "--gateway"],
  [/^interface\.mtu$/, "--mtu"],
  [/^interface(\.|$)/, "--ip"],
  [/^portForwards(\.|$)/, "--forward"],
  [/^dnsServers(\.|$)/, "--dns"],
  [/^bridge$/, "--bridge"],
  [/^uplink$/, "--uplink"],
  [/^labels(\.|$)/, "--label"],
];

/** One validation issue in the words of the command line: the option, the value given, what is accepted. */
export function describeIssue(issue: ConfigIssue, o: NamespaceOptions): string {
  const option = OPTION_OF.find(([re]) => re.test(issue.field))?.[1];
  if (option === undefined) return `${issue.field}: ${issue.message}`;
  const index = /^(?:portForwards|dnsServers)\.(\d+)/.exec(issue.field)?.[1];
  const values: Record<string, string | undefined> = {
    "--name": o.name,
    "--pid": o.pid,
    "--mode": o.mode,
    "--gateway": o.gateway,
    "--mtu": o.mtu,
    "--ip": o.ip,
    "--bridge": o.bridge,
    "--uplink": o.uplink,
    "--forward": index !== undefined ? o.forward?.[Number(index)] : undefined,
    "--dns": index !== undefined ? o.dns?.[Number(index)] : undefined,
  };
  const value = values[option];
  const sub = /^portForwards\.\d+\.(\w+)$/.exec(issue.field)?.[1];
  const what = sub !== undefined ? `${sub} ${issue.message}` : issue.message;
  return value !== undefined ? `invalid ${option} ${JSON.stringify(value)}: ${what}` : `${option}: ${what}`;
}
