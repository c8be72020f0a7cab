import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { bigIntToIp, ipFamily, subnetOf, subnetSize } from "../ip.ts";
import { type Draft, ipv4IfaceArb, validConfigArb } from "./valid-configs.ts";

/** One way to break a config; plain data so that fast-check prints a readable counterexample. */
export type Break =
  | { slot: "id" | "pid" | "unknownKey" | "names"; pick: number }
  | { slot: "mode"; kind: "bad" | "misplace"; pick: number }
  | {
      slot: "interface";
      kind: "ipAddr" | "edge" | "prefixLen" | "gateway" | "mtu" | "name" | "unknown";
      pick: number;
    }
  | {
      slot: "forwards";
      kind: "hostPort" | "nsPort" | "protocol" | "hostAddr" | "family" | "duplicate";
      pick: number;
    }
  | { slot: "dns"; kind: "bad" | "tooMany" | "duplicate"; pick: number }
  | { slot: "labels"; kind: "key" | "value"; pick: number };

/** A config that must be rejected, and the fields whose issues must be reported. */
export interface BrokenConfig {
  config: Draft & { portForwards: Record<string, unknown>[]; dnsServers: unknown[] };
  broken: string[];
  breaks: Break[];
}

type Full = BrokenConfig["config"];

/** Another spelling of the same address (expanded or upper-case IPv6), so duplicates must be found by value. */
const respell = (addr: unknown, pick: number): unknown => {
  if (typeof addr !== "string" || ipFamily(addr) !== 6) return addr;
  return pick % 2 === 0 ? ipaddr.IPv6.parse(addr).toNormalizedString() : addr.toUpperCase();
};
/** Sets a top-level field and names it as broken. */
function put(c: Full, key: string, value: unknown): string[] {
  c[key] = value;
  return [key];
}
const of = <T>(values: readonly T[], pick: number): T => values[pick % values.length]!;
const validMode = (c: Draft) =>
  c.mode === "full" || c.mode === "private" || c.mode === "shared" || c.mode === "bridged";
const hostless = (c: Draft) => c.mode === "full" || c.mode === "shared";

const BAD = {
  id: ["", "Upper", "-lead", "has space", "x".repeat(49), 7, null],
  pid: [0, -5, 1.5, 4_194_304, "12", Number.NaN],
  mode: ["isolated", "", "FULL", 3, undefined],
  ipAddr: ["10.0.0.256", "1.2.3", "::g", "", "fe80::1%lo", 12, "010.1.1.1"],
  prefix4: [0, 32, 33, 129, 7.5, -1],
  prefix6: [0, 128, 129, 64.5],
  mtu: [0, 67, 65536, 1e9, 1500.5, "1500"],
  mtu6: [1279, 100],
  ifname: ["x".repeat(16), "a/b", "a b", "eth%d", "é".repeat(8), "", "a:b", ".."],
  port: [0, 65536, -1, 70000, 1.5],
  protocol: ["sctp", "TCP", 6, undefined],
  hostAddr: ["localhost", "0.0.0.0", "::", "224.0.0.1", "1.2.3"],
  dns: ["dns.example", "1.1.1", "", 53],
  unknownKey: ["colour", "Id", "port_forwards", "extra"],
  labelKey: ["_x", "", "x".repeat(64), "a b"],
  bridge: ["", "a b", "-b", "x".repeat(33)],
};

/** A host port free for every protocol and address in `c`, near `pick`. */
function freePort(c: Full, pick: number): number {
  const used = new Set(c.portForwards.map((f) => f.hostPort));
  let p = 1 + (pick % 65535);
  while (used.has(p)) p = (p % 65535) + 1;
  return p;
}

function ensureIface(
  c: Full,
  fresh: Record<string, unknown>,
): { iface: Record<string, unknown>; extra: string[] } {
  if (c.interface) return { iface: c.interface, extra: [] };
  const iface = { ...fresh };
  if (c.mode === "bridged") delete iface.gateway;
  c.interface = iface;
  return { iface, extra: hostless(c) ? ["interface"] : [] };
}

function misplace(c: Full, pick: number, fresh: Record<string, unknown>): string[] {
  if (hostless(c)) {
    const field = of(["interface", "portForwards", "dnsServers", "bridge", "uplink"] as const, pick);
    if (field === "interface") c.interface = fresh;
    if (field === "portForwards") c.portForwards = [{ hostPort: 8080, nsPort: 80, protocol: "tcp" }];
    if (field === "dnsServers") c.dnsServers = ["1.1.1.1"];
    if (field === "bridge") c.bridge = "b0";
    if (field === "uplink") c.uplink = "eth0";
    return [field];
  }
  if (c.mode === "private") {
    if (pick % 2 === 0) return put(c, "bridge", "b0");
    c.interface = { ...(c.interface ?? fresh) };
    delete c.interface.gateway;
    return ["interface.gateway"];
  }
  const field = of(["bridge", "portForwards", "uplink", "interface.gateway"] as const, pick);
  if (field === "bridge") delete c.bridge;
  if (field === "portForwards") c.portForwards = [{ hostPort: 8080, nsPort: 80, protocol: "tcp" }];
  if (field === "uplink") c.uplink = "eth0";
  if (field === "interface.gateway") {
    c.interface = { ...(c.interface ?? fresh) };
    c.interface.gateway = c.interface.ipAddr;
  }
  return [field];
}

function breakInterface(c: Full, kind: string, pick: number, fresh: Record<string, unknown>): string[] {
  const { iface, extra } = ensureIface(c, fresh);
  const family = ipFamily(iface.ipAddr as string);
  if (kind === "ipAddr") iface.ipAddr = of(BAD.ipAddr, pick);
  if (kind === "prefixLen") iface.prefixLen = of(family === 6 ? BAD.prefix6 : BAD.prefix4, pick);
  if (kind === "mtu") iface.mtu = of(family === 6 && pick % 3 === 0 ? BAD.mtu6 : BAD.mtu, pick);
  if (kind === "name") iface.name = of(BAD.ifname, pick);
  if (kind === "unknown") iface.speed = pick;
  if (kind === "edge") {
    // IPv4: the network or broadcast address of the subnet. IPv6 has neither: use "::", which also moves
    // the address out of its subnet, so a gateway (if any) is now outside it.
    if (family === 4 && (iface.prefixLen as number) < 31) {
      const s = subnetOf(iface.ipAddr as string, iface.prefixLen as number);
      iface.ipAddr = bigIntToIp(pick % 2 === 0 ? s.network : s.network + subnetSize(s) - 1n, 4);
      return [...extra, "interface.ipAddr"];
    }
    iface.ipAddr = family === 4 ? "0.0.0.0" : "::";
    return [...extra, "interface.ipAddr", ...(iface.gateway === undefined ? [] : ["interface.gateway"])];
  }
  if (kind === "gateway") {
    // The address just past the subnet (wrapping to 0): outside it, and still an address.
    const s = subnetOf(iface.ipAddr as string, iface.prefixLen as number);
    const max = family === 4 ? 1n << 32n : 1n << 128n;
    iface.gateway = bigIntToIp((s.network + subnetSize(s)) % max, s.family);
  }
  return [...extra, kind === "unknown" ? "interface.speed" : `interface.${kind}`];
}

function breakForwards(c: Full, kind: string, pick: number): string[] {
  const fs = c.portForwards;
  const extra = validMode(c) && c.mode !== "private" ? ["portForwards"] : [];
  const fwd: Record<string, unknown> = { hostPort: freePort(c, pick), nsPort: 80, protocol: "tcp" };
  if (kind === "duplicate") {
    const first = fs[pick % Math.max(fs.length, 1)];
    const original = first ?? fwd;
    if (!first) fs.push(original);
    const copy: Record<string, unknown> = { ...original, nsPort: 1 + (pick % 65535) };
    if (copy.hostAddr !== undefined) copy.hostAddr = respell(copy.hostAddr, pick >> 1);
    // Every other time, the copy claims every host address against the original's specific one.
    if (pick % 2 === 1) delete copy.hostAddr;
    fs.push(copy);
    return [...extra, `portForwards.${fs.length - 1}`];
  }
  if (kind === "hostPort") fwd.hostPort = of(BAD.port, pick);
  if (kind === "nsPort") fwd.nsPort = of(BAD.port, pick);
  if (kind === "protocol") fwd.protocol = of(BAD.protocol, pick);
  if (kind === "hostAddr") fwd.hostAddr = of(BAD.hostAddr, pick);
  if (kind === "family") {
    // A host address of the other family than the interface's; with no known family, a non-unicast one.
    const family = ipFamily(c.interface?.ipAddr as string);
    fwd.hostAddr = family === 4 ? "::1" : family === 6 ? "127.0.0.1" : "0.0.0.0";
  }
  fs.push(fwd);
  return [...extra, `portForwards.${fs.length - 1}.${kind === "family" ? "hostAddr" : kind}`];
}

function breakDns(c: Full, kind: string, pick: number): string[] {
  const extra = hostless(c) ? ["dnsServers"] : [];
  const d = c.dnsServers;
  if (kind === "tooMany") {
    c.dnsServers = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"].map((x, i) => d[i] ?? x);
    c.dnsServers = [...new Set(c.dnsServers)];
    while (c.dnsServers.length < 4) c.dnsServers.push(`198.51.100.${c.dnsServers.length}`);
    return [...extra, "dnsServers"];
  }
  if (kind === "bad") {
    const i = d.length < 3 ? d.length : pick % 3;
    d[i] = of(BAD.dns, pick);
    return [...extra, `dnsServers.${i}`];
  }
  if (d.length === 0 || d.length === 3) c.dnsServers = ["203.0.113.9"];
  c.dnsServers.push(respell(c.dnsServers[pick % c.dnsServers.length], pick));
  return [...extra, `dnsServers.${c.dnsServers.length - 1}`];
}

/** Applies one break to `c` (in place) and returns the fields it broke. */
function apply(c: Full, b: Break, fresh: Record<string, unknown>): string[] {
  switch (b.slot) {
    case "id":
      return put(c, "id", of(BAD.id, b.pick));
    case "pid":
      return put(c, "pid", of(BAD.pid, b.pick));
    case "unknownKey":
      return put(c, of(BAD.unknownKey, b.pick), b.pick);
    case "names":
      if (c.mode === "private") return put(c, "uplink", of(BAD.ifname, b.pick));
      return put(c, "bridge", of(BAD.bridge, b.pick));
    case "mode":
      if (b.kind === "bad") return put(c, "mode", of(BAD.mode, b.pick));
      return misplace(c, b.pick, fresh);
    case "interface":
      return breakInterface(c, b.kind, b.pick, fresh);
    case "forwards":
      return breakForwards(c, b.kind, b.pick);
    case "dns":
      return breakDns(c, b.kind, b.pick);
    case "labels": {
      const key = b.kind === "key" ? of(BAD.labelKey, b.pick) : "big";
      c.labels = { ...(c.labels ?? {}), [key]: b.kind === "key" ? "v" : "v".repeat(257 + (b.pick % 100)) };
      return [`labels.${key}`];
    }
  }
}

const pick = fc.nat();
const breakArbs: Record<Break["slot"], fc.Arbitrary<Break>> = {
  id: fc.record({ slot: fc.constant("id" as const), pick }),
  pid: fc.record({ slot: fc.constant("pid" as const), pick }),
  unknownKey: fc.record({ slot: fc.constant("unknownKey" as const), pick }),
  names: fc.record({ slot: fc.constant("names" as const), pick }),
  mode: fc.record({ slot: fc.constant("mode" as const), kind: fc.constantFrom("bad", "misplace"), pick }),
  interface: fc.record({
    slot: fc.constant("interface" as const),
    kind: fc.constantFrom("ipAddr", "edge", "prefixLen", "gateway", "mtu", "name", "unknown"),
    pick,
  }),
  forwards: fc.record({
    slot: fc.constant("forwards" as const),
    kind: fc.constantFrom("hostPort", "nsPort", "protocol", "hostAddr", "family", "duplicate"),
    pick,
  }),
  dns: fc.record({
    slot: fc.constant("dns" as const),
    kind: fc.constantFrom("bad", "tooMany", "duplicate"),
    pick,
  }),
  labels: fc.record({ slot: fc.constant("labels" as const), kind: fc.constantFrom("key", "value"), pick }),
};
// The mode goes first: later breaks read the mode to know which extra issues their change causes.
const ORDER: Break["slot"][] = [
  "mode",
  "id",
  "pid",
  "unknownKey",
  "names",
  "interface",
  "forwards",
  "dns",
  "labels",
];

/** Invalid configs: a valid one with 1..3 independent breaks, each knowing the fields it broke. */
export const brokenConfigArb: fc.Arbitrary<BrokenConfig> = fc
  .record({
    base: validConfigArb,
    slots: fc.subarray(ORDER, { minLength: 1, maxLength: 3 }),
    breaks: fc.record(breakArbs),
    fresh: ipv4IfaceArb,
  })
  .map(({ base, slots, breaks, fresh }) => {
    const config = { portForwards: [], dnsServers: [], ...structuredClone(base) } as Full;
    const applied = slots.map((s) => breaks[s]);
    const broken = new Set(applied.flatMap((b) => apply(config, b, fresh)));
    return { config, broken: [...broken], breaks: applied };
  });

/** True when `reported` is a broken field, inside one, or contains one (a list holding a broken entry). */
export function relatedField(reported: string, broken: readonly string[]): boolean {
  return broken.some((b) => reported === b || reported.startsWith(`${b}.`) || b.startsWith(`${reported}.`));
}
