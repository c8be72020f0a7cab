import fc from "fast-check";
import { bigIntToIp } from "../ip.ts";

/** A config under construction: loosely typed so that breakers can put anything anywhere. */
export interface Draft {
  id: unknown;
  mode: unknown;
  pid?: unknown;
  interface?: Record<string, unknown>;
  portForwards?: Record<string, unknown>[];
  dnsServers?: unknown[];
  bridge?: unknown;
  uplink?: unknown;
  labels?: Record<string, unknown>;
  [key: string]: unknown;
}

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** Kernel-acceptable interface names (1..15 bytes). */
export const ifnameArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}$/);
const idArb = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,47}$/);
const bridgeArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/);
const labelsArb = fc.dictionary(
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_./-]{0,10}$/),
  fc.string({ maxLength: 16 }),
  {
    maxKeys: 3,
    noNullPrototype: true,
  },
);

/** Any IPv4 address written as a dotted quad. */
export const anyIpv4Arb = fc
  .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
  .map((parts) => parts.join("."));
/** Any IPv6 address in canonical form. */
export const anyIpv6Arb = fc.bigInt(0n, (1n << 128n) - 1n).map((n) => bigIntToIp(n, 6));

/**
 * A valid subnet address and gateway: unicast, not the network or broadcast address, distinct.
 * IPv4 stays in 1..223 minus 127 (no loopback, multicast or class E); IPv6 in the ULA range fd00::/8.
 */
function ifaceArb(family: 4 | 6, withGateway: boolean) {
  const bits = family === 4 ? 32n : 128n;
  const top = family === 4 ? fc.integer({ min: 1, max: 223 }).filter((x) => x !== 127) : fc.constant(0xfd);
  return fc
    .record({
      top,
      rest: fc.bigInt(0n, (1n << (bits - 8n)) - 1n),
      prefixLen: family === 4 ? fc.integer({ min: 8, max: 30 }) : fc.integer({ min: 48, max: 126 }),
      h: fc.bigInt(0n, 1n << 64n),
      o: fc.bigInt(0n, 1n << 64n),
      mtu: fc.integer({ min: family === 4 ? 68 : 1280, max: 65535 }),
      name: ifnameArb,
    })
    .map(({ top, rest, prefixLen, h, o, mtu, name }) => {
      const size = 1n << (bits - BigInt(prefixLen));
      const net = ((BigInt(top) << (bits - 8n)) | rest) & ~(size - 1n);
      // IPv4 loses the network and broadcast addresses; IPv6 only the all-zero (subnet-router) one.
      const usable = family === 4 ? size - 2n : size - 1n;
      const hi = 1n + (h % usable);
      const gi = 1n + ((hi - 1n + 1n + (o % (usable - 1n))) % usable);
      const iface: Record<string, unknown> = { name, ipAddr: bigIntToIp(net + hi, family), prefixLen, mtu };
      if (withGateway) iface.gateway = bigIntToIp(net + gi, family);
      return iface;
    });
}

/** A valid IPv4 interface with a gateway, for breakers that need one. */
export const ipv4IfaceArb = ifaceArb(4, true);

const hostAddrs = {
  4: ["127.0.0.1", "192.0.2.10", "10.1.2.3"],
  6: ["::1", "2001:db8::5", "fd00::1"],
} as const;

/** Forwards with unique protocol/port pairs; host addresses of the given family, or none. */
function forwardsArb(family: 4 | 6) {
  const fwd = fc.record({
    hostPort: fc.integer({ min: 1, max: 65535 }),
    nsPort: fc.integer({ min: 1, max: 65535 }),
    protocol: fc.constantFrom("tcp", "udp"),
    hostAddr: opt(fc.constantFrom(...hostAddrs[family])),
  });
  return fc
    .uniqueArray(fwd, { maxLength: 4, selector: (f) => `${f.protocol}/${f.hostPort}` })
    .map((fs) => fs.map(({ hostAddr, ...f }) => (hostAddr === undefined ? { ...f } : { ...f, hostAddr })));
}

const dnsArb = fc.uniqueArray(fc.oneof(anyIpv4Arb, anyIpv6Arb), { maxLength: 3 });

const common = { id: idArb, pid: opt(fc.integer({ min: 1, max: 4_194_303 })), labels: opt(labelsArb) };

// Optional keys may be present with the value undefined: validateConfig must drop them (JSON would).
function assemble(parts: Record<string, unknown>): Draft {
  return { portForwards: [], dnsServers: [], ...parts } as unknown as Draft;
}

/** Drops empty lists now and then: validateConfig defaults them to []. */
function sometimesBare(arb: fc.Arbitrary<Draft>): fc.Arbitrary<Draft> {
  return fc.tuple(arb, fc.boolean()).map(([d, bare]) => {
    if (!bare) return d;
    const out: Record<string, unknown> = { ...d };
    for (const k of ["portForwards", "dnsServers"]) if ((out[k] as unknown[]).length === 0) delete out[k];
    return out as Draft;
  });
}

const fullOrShared = fc
  .record({ ...common, mode: fc.constantFrom("full", "shared") })
  .map((p) => assemble(p));

const privateNet = fc
  .record({
    ...common,
    family: fc.constantFrom(4 as const, 6 as const),
    withIface: fc.boolean(),
    v4fwd: forwardsArb(4),
    v6fwd: forwardsArb(6),
    dnsServers: dnsArb,
    uplink: opt(ifnameArb),
    iface4: ifaceArb(4, true),
    iface6: ifaceArb(6, true),
  })
  .map(({ family, withIface, v4fwd, v6fwd, iface4, iface6, ...p }) => {
    // Without an interface the pool allocates IPv4, so forwards then use IPv4 host addresses.
    const fam = withIface ? family : 4;
    const draft = assemble({ ...p, mode: "private", portForwards: fam === 4 ? v4fwd : v6fwd });
    if (withIface) draft.interface = fam === 4 ? iface4 : iface6;
    return draft;
  });

const bridgedNet = fc
  .record({
    ...common,
    bridge: bridgeArb,
    dnsServers: dnsArb,
    iface: opt(fc.oneof(ifaceArb(4, false), ifaceArb(6, false))),
  })
  .map(({ iface, ...p }) => {
    const draft = assemble({ ...p, mode: "bridged" });
    if (iface) draft.interface = iface;
    return draft;
  });

/** Valid configs of every mode, with every optional field sometimes set and empty lists sometimes left out. */
export const validConfigArb: fc.Arbitrary<Draft> = sometimesBare(
  fc.oneof(fullOrShared, privateNet, bridgedNet),
);
