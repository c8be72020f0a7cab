import {
  bigIntToIp,
  formatSubnet,
  forwardKey,
  forwardsConflict,
  type InterfaceConfig,
  maxPrefix,
  type NamespaceConfig,
  NsError,
  type PortForward,
  parseCidr,
  parseForwardKey,
  prefixMask,
  type Subnet,
  subnetOf,
  subnetSize,
} from "@ns/types";
import type { ResolvedNamespace } from "./backend.ts";
import { type ClaimIndex, createClaimIndex, parseCidrCached, type UsedSubnet } from "./claim-index.ts";
import type { Claim } from "./store/store.ts";

/** Address pools. Defaults: private 10.200.0.0/16 in /30 blocks (16,384 namespaces), bridges 10.201.0.0/16 in /24s. */
export interface IpamOptions {
  /** Pool of private-mode subnets. */
  privatePool: string;
  /** Prefix length of each private namespace's subnet (gateway + namespace address). */
  privatePrefix: number;
  /** Pool of bridge subnets. */
  bridgedPool: string;
  /** Prefix length of each bridge's subnet. */
  bridgedPrefix: number;
  /** Default MTU when the backend does not pick one. */
  defaultMtu: number;
  /** Interface name inside the namespace. */
  interfaceName: string;
}

/** The documented defaults. */
export const DEFAULT_IPAM: IpamOptions = {
  privatePool: "10.200.0.0/16",
  privatePrefix: 30,
  bridgedPool: "10.201.0.0/16",
  bridgedPrefix: 24,
  defaultMtu: 1500,
  interfaceName: "eth0",
};

/** What allocate returns: the resolved namespace and the claims that hold its resources. */
export interface Allocation {
  resolved: ResolvedNamespace;
  claims: Claim[];
}

function pool(cidr: string, field: string): Subnet {
  const s = parseCidr(cidr);
  if (!s)
    throw new NsError("ERR_NS_INVALID_CONFIG", `${field} ${cidr} is not a CIDR`, { hint: "use a.b.c.d/n" });
  return s;
}

function addressInUse(addr: string, owner: string): NsError {
  return new NsError("ERR_NS_ADDRESS_IN_USE", `address ${addr} is in use by ${owner}`, {
    hint: "choose another address or let ns allocate one from the pool",
    details: { address: addr, owner },
  });
}

function exhausted(poolCidr: string): NsError {
  return new NsError("ERR_NS_POOL_EXHAUSTED", `no free subnet left in ${poolCidr}`, {
    hint: "destroy unused namespaces (`ns gc`) or configure a larger pool",
    details: { pool: poolCidr },
  });
}

/** Whether a candidate block overlaps any subnet in use, by lookups per prefix length in use. */
function overlapsInUse(cand: Subnet, index: ClaimIndex): UsedSubnet | undefined {
  for (const len of index.prefixLens()) {
    const nets = index.networks(len);
    if (len <= cand.prefixLen) {
      const hit = nets.get(cand.network & prefixMask(cand.family, len));
      if (hit && hit.subnet.family === cand.family) return hit;
    } else {
      const m = prefixMask(cand.family, cand.prefixLen);
      for (const [net, u] of nets)
        if (u.subnet.family === cand.family && (net & m) === cand.network) return u;
    }
  }
  return undefined;
}

/** First block of `prefix` inside `p` that overlaps no subnet in use. */
function firstFreeBlock(p: Subnet, prefix: number, index: ClaimIndex, poolCidr: string): Subnet {
  const step = 1n << BigInt(maxPrefix(p.family) - prefix);
  const count = subnetSize(p) / step;
  const same = index.networks(prefix);
  for (let i = 0n; i < count; i++) {
    const network = p.network + i * step;
    if (same.has(network)) continue;
    const cand: Subnet = { family: p.family, network, prefixLen: prefix };
    if (overlapsInUse(cand, index)) continue;
    return cand;
  }
  throw exhausted(poolCidr);
}

function checkPorts(forwards: readonly PortForward[], index: ClaimIndex, id: string): Claim[] {
  const out: Claim[] = [];
  for (const f of forwards) {
    for (const c of index.ports(f.protocol, f.hostPort)) {
      if (forwardsConflict(parseForwardKey(c.key), f))
        throw new NsError(
          "ERR_NS_PORT_IN_USE",
          `host port ${f.protocol}/${f.hostPort} is forwarded to ${c.namespaceId}`,
          {
            hint: "choose another host port or destroy the namespace that holds it",
            details: {
              hostPort: f.hostPort,
              protocol: f.protocol,
              hostAddr: f.hostAddr,
              owner: c.namespaceId,
            },
          },
        );
    }
    out.push({ kind: "port", key: forwardKey(f), namespaceId: id });
  }
  return out;
}

function privateAllocation(
  config: NamespaceConfig,
  index: ClaimIndex,
  o: IpamOptions,
): { iface: InterfaceConfig; claims: Claim[] } {
  const id = config.id;
  if (config.interface) {
    const iface = config.interface;
    const s = subnetOf(iface.ipAddr, iface.prefixLen);
    const clash = overlapsInUse(s, index);
    if (clash) throw addressInUse(`${formatSubnet(s)}`, clash.owner);
    const addrs = [iface.ipAddr, iface.gateway!];
    for (const a of addrs) {
      const owner = index.owner("addr", a);
      if (owner !== undefined) throw addressInUse(a, owner);
    }
    return {
      iface: { ...iface },
      claims: [
        { kind: "subnet", key: formatSubnet(s), namespaceId: id },
        ...addrs.map((a): Claim => ({ kind: "addr", key: a, namespaceId: id })),
      ],
    };
  }
  const p = pool(o.privatePool, "privatePool");
  const block = firstFreeBlock(p, o.privatePrefix, index, o.privatePool);
  const gateway = bigIntToIp(block.network + 1n, block.family);
  const ipAddr = bigIntToIp(block.network + 2n, block.family);
  return {
    iface: { name: o.interfaceName, ipAddr, prefixLen: o.privatePrefix, gateway, mtu: o.defaultMtu },
    claims: [
      { kind: "subnet", key: formatSubnet(block), namespaceId: id },
      { kind: "addr", key: ipAddr, namespaceId: id },
      { kind: "addr", key: gateway, namespaceId: id },
    ],
  };
}

function bridgedAllocation(
  config: NamespaceConfig,
  index: ClaimIndex,
  o: IpamOptions,
): { iface: InterfaceConfig; subnet: string; claims: Claim[] } {
  const bridge = config.bridge!;
  const id = config.id;
  const memberSubnet = index.bridgeSubnet(bridge);
  let subnet: Subnet;
  if (memberSubnet !== undefined) {
    subnet = parseCidrCached(memberSubnet);
    if (config.interface) {
      const own = subnetOf(config.interface.ipAddr, config.interface.prefixLen);
      if (own.network !== subnet.network || own.prefixLen !== subnet.prefixLen)
        throw new NsError(
          "ERR_NS_ADDRESS_IN_USE",
          `bridge ${bridge} uses ${memberSubnet}, not ${formatSubnet(own)}`,
          {
            hint: `pick an address inside ${memberSubnet} or let ns allocate one`,
            details: { bridge, subnet: memberSubnet },
          },
        );
    }
  } else {
    if (config.interface) {
      subnet = subnetOf(config.interface.ipAddr, config.interface.prefixLen);
      const clash = overlapsInUse(subnet, index);
      if (clash) throw addressInUse(formatSubnet(subnet), clash.owner);
    } else {
      subnet = firstFreeBlock(pool(o.bridgedPool, "bridgedPool"), o.bridgedPrefix, index, o.bridgedPool);
    }
  }
  let ipAddr: string;
  if (config.interface) {
    ipAddr = config.interface.ipAddr;
    const owner = index.owner("addr", ipAddr);
    if (owner !== undefined) throw addressInUse(ipAddr, owner);
  } else {
    const size = subnetSize(subnet);
    let found: string | undefined;
    for (let i = 1n; i < size - 1n; i++) {
      const a = bigIntToIp(subnet.network + i, subnet.family);
      if (index.owner("addr", a) === undefined) {
        found = a;
        break;
      }
    }
    if (!found) throw exhausted(formatSubnet(subnet));
    ipAddr = found;
  }
  const cidr = formatSubnet(subnet);
  const iface: InterfaceConfig = config.interface
    ? { ...config.interface }
    : { name: o.interfaceName, ipAddr, prefixLen: subnet.prefixLen, mtu: o.defaultMtu };
  return {
    iface,
    subnet: cidr,
    claims: [
      { kind: "bridge", key: bridge, value: cidr, namespaceId: id },
      { kind: "addr", key: ipAddr, namespaceId: id },
    ],
  };
}

/** Pure allocation: given the claims in force, resolves addresses and ports for a validated config or throws a typed error. */
export function allocate(
  config: NamespaceConfig,
  claims: readonly Claim[] | ClaimIndex,
  options: Partial<IpamOptions> = {},
  now = new Date(),
): Allocation {
  const o = { ...DEFAULT_IPAM, ...options };
  const index = Array.isArray(claims) ? createClaimIndex(claims) : (claims as ClaimIndex);
  const resolved: ResolvedNamespace = { config, createdAt: now.toISOString() };
  const out: Claim[] = [];
  if (config.mode === "private") {
    const a = privateAllocation(config, index, o);
    resolved.interface = a.iface;
    out.push(...a.claims);
    out.push(...checkPorts(config.portForwards, index, config.id));
  } else if (config.mode === "bridged") {
    const a = bridgedAllocation(config, index, o);
    resolved.interface = a.iface;
    resolved.bridgeSubnet = a.subnet;
    out.push(...a.claims);
  }
  return { resolved, claims: out };
}
