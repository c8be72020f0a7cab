import { execFileSync } from "node:child_process";
import { readlinkSync } from "node:fs";
import type { NamespaceInfo } from "@ns/types";
import { bridgeName, netnsName, vethMacs, vethName } from "../names.ts";

/** Runs `ip -j ARGS` (inside a named netns when given) and parses it. */
export function ipJ(args: string[], netns?: string): unknown[] {
  const cmd =
    netns === undefined
      ? ["ip", "-j", ...args]
      : ["nsenter", `--net=/run/netns/${netns}`, "--", "ip", "-j", ...args];
  const out = execFileSync(cmd[0]!, cmd.slice(1), {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
  return out === "" ? [] : (JSON.parse(out) as unknown[]);
}

type J = Record<string, unknown>;
const pick = (o: J, keys: string[]): J =>
  Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));

/**
 * What `ip` shows of a namespace, without what differs from run to run (ifindexes, MACs, names derived from the
 * id, counters): its links, addresses and routes inside, and its host-side veth (and bridge) in the host.
 */
export function kernelView(info: NamespaceInfo): J {
  const ns = netnsName(info.id);
  const names = new Map<string, string>([[vethName(info.id), "VETH"]]);
  if (info.bridge) names.set(bridgeName(info.bridge), "BRIDGE");
  const macs = vethMacs(info.id);
  names.set(macs.host, "MAC_HOST");
  names.set(macs.ns, "MAC_NS");
  const norm = (v: unknown) => (typeof v === "string" ? (names.get(v) ?? v.replace(ns, "NETNS")) : v);
  const link = (l: J): J => {
    const info6 = (l.linkinfo as J | undefined) ?? {};
    const out = pick(l, ["ifname", "flags", "mtu", "operstate", "link_type", "master", "qdisc", "txqlen"]);
    // Only addresses the plan sets are compared (others are random).
    if (names.has(l.address as string)) out.address = l.address;
    out.kind = info6.info_kind;
    out.addrgenmode = ((l.inet6_addr_gen_mode ?? (l as J).addr_gen_mode) as string | undefined) ?? undefined;
    for (const k of Object.keys(out)) out[k] = norm(out[k]);
    return out;
  };
  const addr = (a: J): J => ({
    ifname: norm(a.ifname),
    addrs: ((a.addr_info as J[]) ?? []).map((x) =>
      pick(x, ["family", "local", "prefixlen", "broadcast", "scope", "noprefixroute"]),
    ),
  });
  const route = (r: J): J => {
    const out = pick(r, ["dst", "gateway", "dev", "protocol", "scope", "prefsrc", "flags", "type", "table"]);
    out.dev = norm(out.dev);
    return out;
  };
  const neigh = (r: J): J => {
    const out = pick(r, ["dst", "dev", "lladdr", "state"]);
    for (const k of Object.keys(out)) out[k] = norm(out[k]);
    return out;
  };
  const inside = {
    links: (ipJ(["-d", "link"], ns) as J[]).map(link),
    addrs: (ipJ(["addr"], ns) as J[]).map(addr),
    routes: (ipJ(["route", "show", "table", "all"], ns) as J[]).map(route),
    neigh: (ipJ(["neigh"], ns) as J[]).map(neigh),
  };
  const hostNames = [...names.keys()].filter((n) => {
    try {
      execFileSync("ip", ["link", "show", "dev", n], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  });
  const host = hostNames.map((n) => ({
    link: (ipJ(["-d", "link", "show", "dev", n]) as J[]).map(link),
    addrs: (ipJ(["addr", "show", "dev", n]) as J[]).map(addr),
    routes: (ipJ(["route", "show", "dev", n]) as J[]).map(route),
    neigh: (ipJ(["neigh", "show", "dev", n]) as J[]).map(neigh),
  }));
  return { inside, host };
}

/** Network namespace of the calling thread (the main thread of the test process). */
export function threadNetns(): string {
  return readlinkSync("/proc/thread-self/ns/net");
}

/** Median of a list of numbers. */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}
