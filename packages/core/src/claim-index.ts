import { parseCidr, parseForwardKey, type Subnet } from "@ns/types";
import type { Claim } from "./store/store.ts";

/** A subnet in use and who holds it. */
export interface UsedSubnet {
  subnet: Subnet;
  owner: string;
  bridge?: string;
}

/**
 * The claims in force, indexed for allocation: lookups by address, port, bridge and subnet size instead of a
 * scan of every claim, so a create costs the same with 10 or 10,000 namespaces alive. The memory store keeps
 * one up to date; other stores build one per transaction from the claims they read.
 */
export interface ClaimIndex {
  /** Owner of an exclusive claim (`kind`, `key`), if held. */
  owner(kind: Claim["kind"], key: string): string | undefined;
  /** Port claims of one protocol and host port. */
  ports(protocol: string, port: number): readonly Claim[];
  /** Subnet of a bridge that has members. */
  bridgeSubnet(bridge: string): string | undefined;
  /** Networks in use with this prefix length, counted. */
  networks(prefixLen: number): ReadonlyMap<bigint, UsedSubnet>;
  /** Prefix lengths in use. */
  prefixLens(): Iterable<number>;
  /** Every subnet in use. */
  subnets(): Iterable<UsedSubnet>;
  /** Adds a claim. */
  add(claim: Claim): void;
  /** Removes every claim of a namespace. */
  removeOwner(namespaceId: string, claims: readonly Claim[]): void;
}

// Claims are read again on every create by non-memory stores: parse each CIDR once (bounded).
const parsed = new Map<string, Subnet>();
/** parseCidr with a bounded cache. */
export function parseCidrCached(text: string): Subnet {
  let s = parsed.get(text);
  if (s === undefined) {
    if (parsed.size > 65_536) parsed.clear();
    s = parseCidr(text)!;
    parsed.set(text, s);
  }
  return s;
}

const portKey = (key: string) => {
  const f = parseForwardKey(key);
  return `${f.protocol}/${f.hostPort}`;
};

/** Builds an index (empty, or from claims). */
export function createClaimIndex(claims: readonly Claim[] = []): ClaimIndex {
  const exclusive = new Map<string, string>();
  const ports = new Map<string, Claim[]>();
  const bridges = new Map<string, { cidr: string; members: number }>();
  const bySize = new Map<number, Map<bigint, UsedSubnet & { count: number }>>();
  const ek = (kind: string, key: string) => `${kind}\u0000${key}`;

  const addSubnet = (cidr: string, owner: string, bridge?: string) => {
    const subnet = parseCidrCached(cidr);
    let m = bySize.get(subnet.prefixLen);
    if (!m) {
      m = new Map();
      bySize.set(subnet.prefixLen, m);
    }
    const cur = m.get(subnet.network);
    if (cur) cur.count++;
    else
      m.set(
        subnet.network,
        bridge === undefined ? { subnet, owner, count: 1 } : { subnet, owner, bridge, count: 1 },
      );
  };
  const dropSubnet = (cidr: string) => {
    const subnet = parseCidrCached(cidr);
    const m = bySize.get(subnet.prefixLen);
    const cur = m?.get(subnet.network);
    if (!m || !cur) return;
    if (--cur.count <= 0) m.delete(subnet.network);
    if (m.size === 0) bySize.delete(subnet.prefixLen);
  };

  const index: ClaimIndex = {
    owner: (kind, key) => exclusive.get(ek(kind, key)),
    ports: (protocol, port) => ports.get(`${protocol}/${port}`) ?? [],
    bridgeSubnet: (bridge) => bridges.get(bridge)?.cidr,
    networks: (prefixLen) => bySize.get(prefixLen) ?? new Map(),
    prefixLens: () => bySize.keys(),
    *subnets() {
      for (const m of bySize.values()) yield* m.values();
    },
    add(c) {
      if (c.kind === "bridge") {
        const b = bridges.get(c.key);
        if (b) b.members++;
        else if (c.value) bridges.set(c.key, { cidr: c.value, members: 1 });
        if (c.value) addSubnet(c.value, c.namespaceId, c.key);
        return;
      }
      exclusive.set(ek(c.kind, c.key), c.namespaceId);
      if (c.kind === "subnet") addSubnet(c.key, c.namespaceId);
      if (c.kind === "port") {
        const k = portKey(c.key);
        ports.set(k, [...(ports.get(k) ?? []), c]);
      }
    },
    removeOwner(namespaceId, owned) {
      for (const c of owned) {
        if (c.namespaceId !== namespaceId) continue;
        if (c.kind === "bridge") {
          const b = bridges.get(c.key);
          if (b && --b.members <= 0) bridges.delete(c.key);
          if (c.value) dropSubnet(c.value);
          continue;
        }
        if (exclusive.get(ek(c.kind, c.key)) === namespaceId) exclusive.delete(ek(c.kind, c.key));
        if (c.kind === "subnet") dropSubnet(c.key);
        if (c.kind === "port") {
          const k = portKey(c.key);
          const rest = (ports.get(k) ?? []).filter((p) => p.namespaceId !== namespaceId);
          if (rest.length > 0) ports.set(k, rest);
          else ports.delete(k);
        }
      }
    },
  };
  for (const c of claims) index.add(c);
  return index;
}
