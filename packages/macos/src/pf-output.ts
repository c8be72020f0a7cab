import { ANCHOR_ROOT } from "./names.ts";

// Parsers of pfctl and route output. The formats are those printed by macOS's pfctl (derived from OpenBSD 4.x
// pf) and route(8); the unit tests feed them samples written from those documented formats.

/** What `pfctl -E` said: the reference token it took, and whether pf was on before. */
export interface EnableResult {
  /** The 64-bit reference token as decimal text, when printed. */
  token?: string;
  /** pf was already enabled (by the system or another tool): never disable it ourselves. */
  alreadyEnabled: boolean;
}

/** Parses `pfctl -E` output (pfctl prints to stderr; pass stdout and stderr together). */
export function parseEnableOutput(text: string): EnableResult {
  const m = /^\s*Token\s*:\s*(\d{1,20})\s*$/m.exec(text);
  const result: EnableResult = { alreadyEnabled: /pf already enabled/i.test(text) };
  if (m) result.token = m[1]!;
  return result;
}

/** Which of our anchor hooks the main ruleset evaluates. */
export interface AnchorHooks {
  /** `nat-anchor "ns/*"`: our nat rules are evaluated. */
  nat: boolean;
  /** `rdr-anchor "ns/*"`: our port forwards are evaluated. */
  rdr: boolean;
  /** `anchor "ns/*"`: filter rules would be evaluated (the backend loads none today). */
  filter: boolean;
}

// `pfctl -sn` prints `nat-anchor "ns/*" all`, `pfctl -sr` prints `anchor "ns/*" all`; quoting is pfctl's.
function hooked(listing: string, keyword: string): boolean {
  const re = new RegExp(`^\\s*${keyword}\\s+"${ANCHOR_ROOT}/\\*"(\\s|$)`, "m");
  return re.test(listing);
}

/** Parses the main ruleset listings (`pfctl -sn` for nat/rdr, `pfctl -sr` for filter) for our hooks. */
export function parseAnchorHooks(natListing: string, filterListing = ""): AnchorHooks {
  return {
    nat: hooked(natListing, "nat-anchor"),
    rdr: hooked(natListing, "rdr-anchor"),
    filter: hooked(filterListing, "anchor"),
  };
}

/** Parses `pfctl -a ns -s Anchors`: the full paths of the anchors below `ns` (`ns/<id>`). */
export function parseAnchorList(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || /\s/.test(line) || line.startsWith("pfctl:")) continue;
    out.push(line.includes("/") ? line : `${ANCHOR_ROOT}/${line}`);
  }
  return out;
}

/** Parses `route -n get default`: the interface of the default route, if any. */
export function parseDefaultRoute(text: string): string | undefined {
  return /^\s*interface:\s*(\S+)\s*$/m.exec(text)?.[1];
}

/** Counters of the pf log interface, as `pfctl -s info` prints them when `set loginterface` is on. */
export interface PfInterfaceInfo {
  name: string;
  bytesIn: number;
  bytesOut: number;
  packetsInPassed: number;
  packetsInBlocked: number;
  packetsOutPassed: number;
  packetsOutBlocked: number;
}

/** What `pfctl -s info` says: whether pf is on, and the log interface's counters (IPv4 + IPv6). */
export interface PfInfo {
  enabled: boolean | undefined;
  iface?: PfInterfaceInfo;
}

/** Parses `pfctl -s info`. */
export function parsePfInfo(text: string): PfInfo {
  const status = /^Status:\s*(Enabled|Disabled)/m.exec(text)?.[1];
  const info: PfInfo = { enabled: status === undefined ? undefined : status === "Enabled" };
  const head = /^Interface Stats for (\S+)/m.exec(text);
  if (!head) return info;
  const body = text.slice(head.index).split("\n").slice(1);
  const both = (line: string | undefined) => {
    const n = /(\d+)\s+(\d+)\s*$/.exec(line ?? "");
    return n ? Number(n[1]) + Number(n[2]) : 0;
  };
  const find = (label: RegExp, from = 0) => body.findIndex((l, i) => i >= from && label.test(l));
  const inAt = find(/^\s*Packets In\s*$/);
  const outAt = find(/^\s*Packets Out\s*$/);
  info.iface = {
    name: head[1]!,
    bytesIn: both(body[find(/^\s*Bytes In\b/)]),
    bytesOut: both(body[find(/^\s*Bytes Out\b/)]),
    packetsInPassed: both(body[find(/^\s*Passed\b/, inAt)]),
    packetsInBlocked: both(body[find(/^\s*Blocked\b/, inAt)]),
    packetsOutPassed: both(body[find(/^\s*Passed\b/, outAt)]),
    packetsOutBlocked: both(body[find(/^\s*Blocked\b/, outAt)]),
  };
  return info;
}
