import { describe, expect, it } from "vitest";
import {
  bigIntToIp,
  canonicalIp,
  formatSubnet,
  ipFamily,
  ipRange,
  ipToBigInt,
  isIp,
  isUnspecifiedIp,
  maxPrefix,
  parseCidr,
  prefixMask,
  subnetContains,
  subnetOf,
  subnetSize,
  subnetsOverlap,
} from "./ip.ts";

describe("ipFamily / isIp", () => {
  it.each([
    ["10.0.0.1", 4],
    ["0.0.0.0", 4],
    ["255.255.255.255", 4],
    ["::", 6],
    ["::1", 6],
    ["2001:db8::1", 6],
    ["FE80::1", 6],
    ["1:2:3:4:5:6:7:8", 6],
    ["::ffff:10.1.2.3", 6],
  ] as const)("recognises %s as IPv%i", (addr, family) => {
    expect(ipFamily(addr)).toBe(family);
    expect(isIp(addr)).toBe(true);
  });

  it.each([
    "",
    "10.0.0",
    "10.0.0.256",
    "010.0.0.1",
    "10.0.0.01",
    "0x7f.0.0.1",
    "127.1",
    "1.2.3.4 ",
    " ::1",
    "fe80::1%eth0",
    "1::2::3",
    "00001::",
    "1:2:3:4:5:6:7:8:9",
    "::ffff:01.2.3.4",
    "::ffff:1.2.3",
    "10.0.0.1/24",
    "localhost",
  ])("rejects the loosely written or invalid address %j", (addr) => {
    expect(ipFamily(addr)).toBeUndefined();
    expect(isIp(addr)).toBe(false);
  });

  it("rejects non-strings without throwing", () => {
    expect(ipFamily(42 as never)).toBeUndefined();
    expect(ipFamily(undefined as never)).toBeUndefined();
  });
});

describe("prefixMask", () => {
  it("has ones in the network part only", () => {
    expect(prefixMask(4, 24)).toBe(0xffffff00n);
    expect(prefixMask(4, 0)).toBe(0n);
    expect(prefixMask(6, 128)).toBe((1n << 128n) - 1n);
  });
});

describe("maxPrefix", () => {
  it("is 32 for IPv4 and 128 for IPv6", () => {
    expect(maxPrefix(4)).toBe(32);
    expect(maxPrefix(6)).toBe(128);
  });
});

describe("canonicalIp / isUnspecifiedIp", () => {
  it("compresses and lowercases IPv6 and keeps IPv4 as is", () => {
    expect(canonicalIp("2001:DB8:0:0:0:0:0:1")).toBe("2001:db8::1");
    expect(canonicalIp("0::1")).toBe("::1");
    expect(canonicalIp("192.168.1.1")).toBe("192.168.1.1");
  });

  it("throws a TypeError for a non-address", () => {
    expect(() => canonicalIp("nope")).toThrow(TypeError);
  });

  it("recognises only 0.0.0.0 and :: as unspecified", () => {
    expect(isUnspecifiedIp("0.0.0.0")).toBe(true);
    expect(isUnspecifiedIp("::")).toBe(true);
    expect(isUnspecifiedIp("0:0:0:0:0:0:0:0")).toBe(true);
    expect(isUnspecifiedIp("0.0.0.1")).toBe(false);
    expect(isUnspecifiedIp("garbage")).toBe(false);
  });
});

describe("ipToBigInt / bigIntToIp", () => {
  it("converts both ways for IPv4 and IPv6", () => {
    expect(ipToBigInt("10.0.0.1")).toBe(0x0a000001n);
    expect(bigIntToIp(0x0a000001n, 4)).toBe("10.0.0.1");
    expect(ipToBigInt("::1")).toBe(1n);
    expect(bigIntToIp(1n, 6)).toBe("::1");
    expect(bigIntToIp(ipToBigInt("2001:db8::ff"), 6)).toBe("2001:db8::ff");
  });

  it("refuses loosely written addresses instead of guessing", () => {
    expect(() => ipToBigInt("0x7f.1")).toThrow(TypeError);
  });

  it("refuses numbers that do not fit the family", () => {
    expect(() => bigIntToIp(-1n, 4)).toThrow(RangeError);
    expect(() => bigIntToIp(1n << 32n, 4)).toThrow(RangeError);
    expect(() => bigIntToIp(1n << 128n, 6)).toThrow(RangeError);
    expect(bigIntToIp((1n << 32n) - 1n, 4)).toBe("255.255.255.255");
  });
});

describe("subnetOf / parseCidr / formatSubnet / subnetSize", () => {
  it("clears the host bits", () => {
    expect(formatSubnet(subnetOf("10.1.2.3", 16))).toBe("10.1.0.0/16");
    expect(formatSubnet(subnetOf("2001:db8::1", 64))).toBe("2001:db8::/64");
    expect(formatSubnet(subnetOf("10.1.2.3", 0))).toBe("0.0.0.0/0");
    expect(formatSubnet(subnetOf("10.1.2.3", 32))).toBe("10.1.2.3/32");
  });

  it("throws on a non-address or an impossible prefix", () => {
    expect(() => subnetOf("10.0.0", 8)).toThrow(TypeError);
    expect(() => subnetOf("10.0.0.0", 33)).toThrow(RangeError);
    expect(() => subnetOf("::", 129)).toThrow(RangeError);
    expect(() => subnetOf("10.0.0.0", -1)).toThrow(RangeError);
    expect(() => subnetOf("10.0.0.0", 8.5)).toThrow(RangeError);
  });

  it("parses strict CIDR text", () => {
    expect(parseCidr("10.200.0.0/16")).toEqual({ family: 4, network: 0x0ac80000n, prefixLen: 16 });
    expect(formatSubnet(parseCidr("fd00::5/8")!)).toBe("fd00::/8");
    expect(formatSubnet(parseCidr("0.0.0.0/0")!)).toBe("0.0.0.0/0");
  });

  it.each([
    "10.0.0.0",
    "10.0.0.0/",
    "10.0.0.0/33",
    "::/129",
    "10.0.0.0/024",
    "10.0.0.0/+8",
    "10.0.0.0/8/8",
    "10.0.0/8",
    "/8",
    "10.0.0.0/ 8",
  ])("rejects the CIDR %j", (cidr) => {
    expect(parseCidr(cidr)).toBeUndefined();
  });

  it("rejects non-strings", () => {
    expect(parseCidr(undefined as never)).toBeUndefined();
  });

  it("counts the addresses of a subnet", () => {
    expect(subnetSize(parseCidr("10.0.0.0/24")!)).toBe(256n);
    expect(subnetSize(parseCidr("10.0.0.0/32")!)).toBe(1n);
    expect(subnetSize(parseCidr("::/64")!)).toBe(1n << 64n);
  });
});

describe("subnetContains / subnetsOverlap", () => {
  const net = parseCidr("10.0.0.0/24")!;

  it("contains exactly the addresses of the subnet", () => {
    expect(subnetContains(net, "10.0.0.0")).toBe(true);
    expect(subnetContains(net, "10.0.0.255")).toBe(true);
    expect(subnetContains(net, "10.0.1.0")).toBe(false);
    expect(subnetContains(net, "9.255.255.255")).toBe(false);
  });

  it("never contains another family or a non-address", () => {
    expect(subnetContains(net, "::ffff:10.0.0.1")).toBe(false);
    expect(subnetContains(net, "bogus")).toBe(false);
  });

  it("detects overlap in both directions and nesting", () => {
    expect(subnetsOverlap(net, parseCidr("10.0.0.128/25")!)).toBe(true);
    expect(subnetsOverlap(parseCidr("10.0.0.128/25")!, net)).toBe(true);
    expect(subnetsOverlap(net, parseCidr("10.0.0.0/8")!)).toBe(true);
    expect(subnetsOverlap(net, parseCidr("0.0.0.0/0")!)).toBe(true);
    expect(subnetsOverlap(net, parseCidr("10.0.1.0/24")!)).toBe(false);
  });

  it("never overlaps across families", () => {
    expect(subnetsOverlap(parseCidr("0.0.0.0/0")!, parseCidr("::/0")!)).toBe(false);
  });
});

describe("ipRange", () => {
  it.each([
    ["0.0.0.0", "unspecified"],
    ["127.0.0.1", "loopback"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["10.0.0.1", "private"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["ff02::1", "multicast"],
    ["fd00::1", "uniqueLocal"],
    ["::ffff:127.0.0.1", "loopback"],
  ])("names %s as %s", (addr, range) => {
    expect(ipRange(addr)).toBe(range);
  });

  it("throws a TypeError for a non-address", () => {
    expect(() => ipRange("10.0.0")).toThrow(TypeError);
  });
});

describe("ipFamily answers", () => {
  it("stay the same when asked again and again, past its memory bound", () => {
    const addrs = Array.from({ length: 3000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.1`);
    for (const a of addrs) expect(ipFamily(a)).toBe(4);
    for (const a of addrs.slice(0, 10)) expect(ipFamily(a)).toBe(4);
    expect(ipFamily("10.0.0.300")).toBeUndefined();
    expect(ipFamily("10.0.0.300")).toBeUndefined();
  });
});
