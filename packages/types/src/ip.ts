import ipaddr from "ipaddr.js";

/** IP family of an address. */
export type IpFamily = 4 | 6;

/** Family of a strictly written address (dotted quad or RFC 4291 IPv6 without zone), or undefined. */
export function ipFamily(value: string): IpFamily | undefined {
  if (typeof value !== "string" || value.includes("%")) return undefined;
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return 4;
  if (value.includes(":") && ipaddr.IPv6.isValid(value)) return 6;
  return undefined;
}

/** True for a strictly written IPv4 or IPv6 address. */
export function isIp(value: string): boolean {
  return ipFamily(value) !== undefined;
}

/** Largest prefix length of a family. */
export function maxPrefix(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

/** Address as a bigint (v4 or v6). */
export function ipToBigInt(value: string): bigint {
  const bytes = ipaddr.parse(value).toByteArray();
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** Bigint back to the canonical string of the given family. */
export function bigIntToIp(n: bigint, family: IpFamily): string {
  const len = family === 4 ? 4 : 16;
  const bytes: number[] = new Array(len);
  let v = n;
  for (let i = len - 1; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/** A parsed subnet: family, network address as bigint and prefix length. */
export interface Subnet {
  family: IpFamily;
  network: bigint;
  prefixLen: number;
}

/** Subnet containing `addr/prefixLen`. */
export function subnetOf(addr: string, prefixLen: number): Subnet {
  const family = ipFamily(addr);
  if (family === undefined) throw new TypeError(`not an IP address: ${addr}`);
  const bits = BigInt(maxPrefix(family));
  const mask = ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefixLen))) - 1n);
  return { family, network: ipToBigInt(addr) & mask, prefixLen };
}

/** Parses `a.b.c.d/n` (or IPv6) strictly. */
export function parseCidr(cidr: string): Subnet | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  if (!m) return undefined;
  const family = ipFamily(m[1]!);
  const prefix = Number(m[2]);
  if (family === undefined || prefix > maxPrefix(family)) return undefined;
  return subnetOf(m[1]!, prefix);
}

/** Canonical `network/prefix` text of a subnet. */
export function formatSubnet(s: Subnet): string {
  return `${bigIntToIp(s.network, s.family)}/${s.prefixLen}`;
}

/** Number of addresses in a subnet. */
export function subnetSize(s: Subnet): bigint {
  return 1n << BigInt(maxPrefix(s.family) - s.prefixLen);
}

/** True when `addr` lies inside `s`. */
export function subnetContains(s: Subnet, addr: string): boolean {
  const family = ipFamily(addr);
  if (family !== s.family) return false;
  return subnetOf(addr, s.prefixLen).network === s.network;
}

/** True when two subnets share any address. */
export function subnetsOverlap(a: Subnet, b: Subnet): boolean {
  if (a.family !== b.family) return false;
  const p = Math.min(a.prefixLen, b.prefixLen);
  const bits = BigInt(maxPrefix(a.family));
  const mask = ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(p))) - 1n);
  return (a.network & mask) === (b.network & mask);
}
