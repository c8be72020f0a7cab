import ipaddr from "ipaddr.js";

/** IP family of an address. */
export type IpFamily = 4 | 6;

// ipaddr.js reports a miss by throwing, which costs tens of microseconds: validating one config asks about the
// same few addresses many times, so remember recent answers (the function is pure; the bound keeps memory flat).
const familyCache = new Map<string, IpFamily | undefined>();
const FAMILY_CACHE_SIZE = 1024;

function detectFamily(value: string): IpFamily | undefined {
  if (value.includes("%")) return undefined;
  if (!value.includes(":")) return ipaddr.IPv4.isValidFourPartDecimal(value) ? 4 : undefined;
  if (!ipaddr.IPv6.isValid(value)) return undefined;
  // ipaddr.js accepts an embedded IPv4 tail with leading zeros ("::ffff:01.2.3.4"), which is ambiguous (octal?).
  const tail = value.slice(value.lastIndexOf(":") + 1);
  if (tail.includes(".") && !ipaddr.IPv4.isValidFourPartDecimal(tail)) return undefined;
  return 6;
}

/** Family of a strictly written address (dotted quad or RFC 4291 IPv6 without zone), or undefined. */
export function ipFamily(value: string): IpFamily | undefined {
  if (typeof value !== "string") return undefined;
  if (familyCache.has(value)) return familyCache.get(value);
  const family = detectFamily(value);
  if (familyCache.size >= FAMILY_CACHE_SIZE) familyCache.clear();
  familyCache.set(value, family);
  return family;
}

/** Parsed form of a strictly written address; throws TypeError on anything else. */
function parseStrict(value: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const family = ipFamily(value);
  if (family === undefined) throw new TypeError(`not an IP address: ${String(value)}`);
  return family === 4 ? ipaddr.IPv4.parse(value) : ipaddr.IPv6.parse(value);
}

/** True for a strictly written IPv4 or IPv6 address. */
export function isIp(value: string): boolean {
  return ipFamily(value) !== undefined;
}

/** Largest prefix length of a family. */
export function maxPrefix(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

/** Canonical text of an address (IPv6 compressed and lowercase, RFC 5952); throws TypeError on a non-address. */
export function canonicalIp(value: string): string {
  return parseStrict(value).toString();
}

/**
 * Special-purpose range of an address as ipaddr.js names it ("unspecified", "loopback", "multicast",
 * "broadcast", "private", "unicast"...); IPv4-mapped IPv6 addresses report their IPv4 range.
 */
export function ipRange(value: string): string {
  const a = parseStrict(value);
  return a.kind() === "ipv6" && (a as ipaddr.IPv6).isIPv4MappedAddress()
    ? (a as ipaddr.IPv6).toIPv4Address().range()
    : a.range();
}

/** True for the unspecified ("any") address of its family: 0.0.0.0 or ::. */
export function isUnspecifiedIp(value: string): boolean {
  return ipFamily(value) !== undefined && ipToBigInt(value) === 0n;
}

/** Address as a bigint (v4 or v6); throws TypeError on a non-address. */
export function ipToBigInt(value: string): bigint {
  let n = 0n;
  for (const b of parseStrict(value).toByteArray()) n = (n << 8n) | BigInt(b);
  return n;
}

/** Bigint back to the canonical string of the given family; throws RangeError when it does not fit. */
export function bigIntToIp(n: bigint, family: IpFamily): string {
  const len = family === 4 ? 4 : 16;
  if (n < 0n || n >> BigInt(len * 8) !== 0n) throw new RangeError(`${n} is not an IPv${family} address`);
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
  /** IP family. */
  family: IpFamily;
  /** Network address (host bits zero). */
  network: bigint;
  /** Prefix length, 0..32 or 0..128. */
  prefixLen: number;
}

/** The netmask of `prefixLen` as a number (all ones in the network part). */
export function prefixMask(family: IpFamily, prefixLen: number): bigint {
  const bits = BigInt(maxPrefix(family));
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefixLen))) - 1n);
}

/** Subnet containing `addr/prefixLen`; throws TypeError on a non-address, RangeError on a bad prefix. */
export function subnetOf(addr: string, prefixLen: number): Subnet {
  const family = ipFamily(addr);
  if (family === undefined) throw new TypeError(`not an IP address: ${String(addr)}`);
  if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > maxPrefix(family))
    throw new RangeError(`prefix length ${prefixLen} is not 0..${maxPrefix(family)} for IPv${family}`);
  return { family, network: ipToBigInt(addr) & prefixMask(family, prefixLen), prefixLen };
}

/** Parses `a.b.c.d/n` (or IPv6) strictly; host bits may be set and are cleared. */
export function parseCidr(cidr: string): Subnet | undefined {
  if (typeof cidr !== "string") return undefined;
  const slash = cidr.indexOf("/");
  if (slash < 0) return undefined;
  const addr = cidr.slice(0, slash);
  const len = cidr.slice(slash + 1);
  // Decimal without leading zeros: "1.2.3.4/024" or "/+8" are typos, not prefixes.
  if (!/^(0|[1-9]\d{0,2})$/.test(len)) return undefined;
  const family = ipFamily(addr);
  const prefix = Number(len);
  if (family === undefined || prefix > maxPrefix(family)) return undefined;
  return subnetOf(addr, prefix);
}

/** Canonical `network/prefix` text of a subnet. */
export function formatSubnet(s: Subnet): string {
  return `${bigIntToIp(s.network, s.family)}/${s.prefixLen}`;
}

/** Number of addresses in a subnet. */
export function subnetSize(s: Subnet): bigint {
  return 1n << BigInt(maxPrefix(s.family) - s.prefixLen);
}

/** True when `addr` lies inside `s` (false for a non-address or another family). */
export function subnetContains(s: Subnet, addr: string): boolean {
  const family = ipFamily(addr);
  if (family !== s.family) return false;
  return subnetOf(addr, s.prefixLen).network === s.network;
}

/** True when two subnets share any address. */
export function subnetsOverlap(a: Subnet, b: Subnet): boolean {
  if (a.family !== b.family) return false;
  const m = prefixMask(a.family, Math.min(a.prefixLen, b.prefixLen));
  return (a.network & m) === (b.network & m);
}
