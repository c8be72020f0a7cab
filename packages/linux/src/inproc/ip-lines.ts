import { ipv4Bytes, macBytes } from "./netlink-encode.ts";

/** One `ip` batch line the in-process driver can apply itself. */
export type IpOp =
  | { kind: "netns-add"; name: string }
  | { kind: "netns-del"; name: string }
  | { kind: "veth-add"; name: string; mtu?: number; address?: string; peer: VethPeer }
  | { kind: "bridge-add"; name: string; mtu?: number }
  | { kind: "link-set"; dev: string; up?: boolean; mtu?: number; master?: string; addrgenNone?: boolean }
  | { kind: "link-del"; dev: string }
  | { kind: "addr-add"; dev: string; addr: string; prefixLen: number }
  | { kind: "route-default"; via: string }
  | { kind: "route-blackhole"; dst: string; del: boolean }
  | { kind: "neigh-replace"; dst: string; lladdr: string; dev: string };

/** The peer end of a new veth. */
export interface VethPeer {
  name: string;
  mtu?: number;
  address?: string;
  netns?: string;
}

// Kernel interface names: 1..15 bytes, no '/', ':' or whitespace; anything else goes to `ip` for its own error.
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const NETNS = /^[A-Za-z0-9_.-]{1,200}$/;
const isIf = (s: string | undefined): s is string => s !== undefined && IFNAME.test(s);
const isNetns = (s: string | undefined): s is string =>
  s !== undefined && NETNS.test(s) && s !== "." && s !== "..";

function mtuOf(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,6}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 68 && n <= 65535 ? n : undefined;
}

/** `NAME [address MAC] [mtu M]`, then the rest; undefined on a bad value. */
function nameAndAttrs(
  t: string[],
): { name: string; mtu?: number; address?: string; rest: string[] } | undefined {
  const name = t[0];
  if (!isIf(name)) return undefined;
  const out: { name: string; mtu?: number; address?: string; rest: string[] } = { name, rest: [] };
  let i = 1;
  if (t[i] === "address") {
    if (!macBytes(t[i + 1] ?? "")) return undefined;
    out.address = t[i + 1]!;
    i += 2;
  }
  if (t[i] === "mtu") {
    const mtu = mtuOf(t[i + 1]);
    if (mtu === undefined) return undefined;
    out.mtu = mtu;
    i += 2;
  }
  out.rest = t.slice(i);
  return out;
}

function parseLinkAdd(t: string[]): IpOp | undefined {
  const head = nameAndAttrs(t);
  if (head?.rest[0] !== "type") return undefined;
  const { rest, ...base } = head;
  const r = rest.slice(1);
  if (r.length === 1 && r[0] === "bridge" && base.address === undefined)
    return { kind: "bridge-add", ...base };
  if (r[0] !== "veth" || r[1] !== "peer" || r[2] !== "name") return undefined;
  const peerHead = nameAndAttrs(r.slice(3));
  if (!peerHead) return undefined;
  const { rest: peerRest, ...peer } = peerHead;
  if (peerRest.length === 2 && peerRest[0] === "netns" && isNetns(peerRest[1]))
    return { kind: "veth-add", ...base, peer: { ...peer, netns: peerRest[1] } };
  return peerRest.length === 0 ? { kind: "veth-add", ...base, peer } : undefined;
}

function parseLinkSet(t: string[]): IpOp | undefined {
  let i = t[0] === "dev" ? 1 : 0;
  const dev = t[i++];
  if (!isIf(dev)) return undefined;
  const op: Extract<IpOp, { kind: "link-set" }> = { kind: "link-set", dev };
  if (i >= t.length) return undefined;
  while (i < t.length) {
    const w = t[i++];
    if (w === "up" || w === "down") op.up = w === "up";
    else if (w === "mtu") {
      const mtu = mtuOf(t[i++]);
      if (mtu === undefined) return undefined;
      op.mtu = mtu;
    } else if (w === "master") {
      const m = t[i++];
      if (!isIf(m)) return undefined;
      op.master = m;
    } else if (w === "addrgenmode" && t[i] === "none") {
      i++;
      op.addrgenNone = true;
    } else return undefined;
  }
  return op;
}

function parseAddrAdd(t: string[]): IpOp | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(t[0] ?? "");
  if (!m || t.length !== 3 || t[1] !== "dev" || !isIf(t[2])) return undefined;
  const prefixLen = Number(m[2]);
  if (!ipv4Bytes(m[1]!) || prefixLen > 32) return undefined;
  return { kind: "addr-add", dev: t[2], addr: m[1]!, prefixLen };
}

/** `neigh replace A lladdr MAC dev DEV nud permanent` (IPv4 only). */
function parseNeighReplace(t: string[]): IpOp | undefined {
  const [dst, k1, lladdr, k2, dev, k3, nud] = t;
  if (t.length !== 7 || k1 !== "lladdr" || k2 !== "dev" || k3 !== "nud" || nud !== "permanent")
    return undefined;
  if (!ipv4Bytes(dst!) || !macBytes(lladdr!) || !isIf(dev)) return undefined;
  return { kind: "neigh-replace", dst: dst!, lladdr: lladdr!, dev };
}

/** Parses one batch line; undefined when it lies outside the supported subset. */
export function parseIpLine(line: string): IpOp | undefined {
  const t = line.trim().split(/\s+/);
  const [obj, verb, ...rest] = t;
  if (obj === "netns" && rest.length === 1 && isNetns(rest[0])) {
    if (verb === "add") return { kind: "netns-add", name: rest[0] };
    if (verb === "del" || verb === "delete") return { kind: "netns-del", name: rest[0] };
    return undefined;
  }
  if (obj === "link") {
    if (verb === "add") return parseLinkAdd(rest);
    if (verb === "set") return parseLinkSet(rest);
    if (verb === "del" || verb === "delete") {
      const dev = rest[0] === "dev" ? rest[1] : rest[0];
      const n = rest[0] === "dev" ? 2 : 1;
      return rest.length === n && isIf(dev) ? { kind: "link-del", dev } : undefined;
    }
    return undefined;
  }
  if ((obj === "addr" || obj === "address") && verb === "add") return parseAddrAdd(rest);
  if (obj === "neigh" && verb === "replace") return parseNeighReplace(rest);
  if (
    obj === "route" &&
    (verb === "replace" || verb === "del") &&
    rest.length === 2 &&
    rest[0] === "blackhole"
  ) {
    const m = /^(\d+\.\d+\.\d+\.\d+)\/32$/.exec(rest[1]!);
    return m && ipv4Bytes(m[1]!) ? { kind: "route-blackhole", dst: m[1]!, del: verb === "del" } : undefined;
  }
  if (obj === "route" && verb === "add" && rest.length === 3 && rest[0] === "default" && rest[1] === "via")
    return ipv4Bytes(rest[2]!) ? { kind: "route-default", via: rest[2]! } : undefined;
  return undefined;
}

/** Parses a whole batch (blank lines skipped); undefined when any line is outside the subset. */
export function parseIpBatch(lines: readonly string[]): IpOp[] | undefined {
  const ops: IpOp[] = [];
  for (const line of lines) {
    if (line.trim() === "") continue;
    const op = parseIpLine(line);
    if (!op) return undefined;
    ops.push(op);
  }
  return ops;
}
