import { isNsError, NamespaceConfig, type NsErrorCode, type PortForward } from "@ns/types";
import { describe, expect, it } from "vitest";
import { allocate, DEFAULT_IPAM, type IpamOptions } from "./ipam.ts";
import type { Claim } from "./store/store.ts";

/** Allocates a sequence of configs, each seeing the claims of those before. */
function sequence(configs: NamespaceConfig[], options: Partial<IpamOptions> = {}) {
  let claims: Claim[] = [];
  return configs.map((c) => {
    const a = allocate(c, claims, options);
    claims = claims.concat(a.claims);
    return a;
  });
}

function codeOf(fn: () => unknown): NsErrorCode | "ok" | "untyped" {
  try {
    fn();
    return "ok";
  } catch (e) {
    return isNsError(e) ? e.code : "untyped";
  }
}

const priv = (id: string, over: Parameters<typeof NamespaceConfig.privateNetwork>[1] = {}) =>
  NamespaceConfig.privateNetwork(undefined, { id, ...over });
const bridged = (id: string, bridge: string, over: Parameters<typeof NamespaceConfig.bridged>[2] = {}) =>
  NamespaceConfig.bridged(undefined, bridge, { id, ...over });
const iface = (ipAddr: string, prefixLen: number, gateway?: string) => ({
  name: "eth0",
  ipAddr,
  prefixLen,
  mtu: 1500,
  ...(gateway ? { gateway } : {}),
});

describe("private pool", () => {
  it("hands out /30s from 10.200.0.0/16: gateway .1, namespace .2", () => {
    const [a, b] = sequence([priv("a"), priv("b")]);
    expect(a!.resolved.interface).toEqual({
      name: "eth0",
      ipAddr: "10.200.0.2",
      prefixLen: 30,
      gateway: "10.200.0.1",
      mtu: 1500,
    });
    expect(a!.claims).toEqual([
      { kind: "subnet", key: "10.200.0.0/30", namespaceId: "a" },
      { kind: "addr", key: "10.200.0.2", namespaceId: "a" },
      { kind: "addr", key: "10.200.0.1", namespaceId: "a" },
    ]);
    expect(b!.resolved.interface?.ipAddr).toBe("10.200.0.6");
  });

  it("reuses a released block first", () => {
    const [a, b] = sequence([priv("a"), priv("b")]);
    const c = allocate(priv("c"), b!.claims);
    expect(c.resolved.interface?.ipAddr).toBe(a!.resolved.interface?.ipAddr);
  });

  it("fails with ERR_NS_POOL_EXHAUSTED naming the pool when full", () => {
    const options = { privatePool: "10.9.0.0/29" };
    const claims = sequence([priv("a"), priv("b")], options).flatMap((a) => a.claims);
    try {
      allocate(priv("c"), claims, options);
      throw new Error("allocated");
    } catch (e) {
      expect(isNsError(e, "ERR_NS_POOL_EXHAUSTED")).toBe(true);
      expect((e as { details: object }).details).toEqual({ pool: "10.9.0.0/29" });
    }
  });

  it("follows configured pools, prefixes, MTU and interface name", () => {
    const o = { privatePool: "192.168.50.0/24", privatePrefix: 29, defaultMtu: 1400, interfaceName: "ns0" };
    const [a, b] = sequence([priv("a"), priv("b")], o);
    expect(a!.resolved.interface).toMatchObject({
      name: "ns0",
      ipAddr: "192.168.50.2",
      prefixLen: 29,
      mtu: 1400,
    });
    expect(b!.resolved.interface?.gateway).toBe("192.168.50.9");
  });

  it("rejects a pool that is not a CIDR", () => {
    expect(codeOf(() => allocate(priv("a"), [], { privatePool: "10.0.0.0" }))).toBe("ERR_NS_INVALID_CONFIG");
    expect(codeOf(() => allocate(bridged("a", "b"), [], { bridgedPool: "nope/8" }))).toBe(
      "ERR_NS_INVALID_CONFIG",
    );
  });

  it("is pure: the creation time comes from the clock given", () => {
    const now = new Date("2026-02-03T04:05:06.000Z");
    expect(allocate(priv("a"), [], {}, now).resolved.createdAt).toBe(now.toISOString());
    expect(DEFAULT_IPAM.privatePool).toBe("10.200.0.0/16");
  });
});

describe("custom addresses", () => {
  it("claims a custom interface's subnet and both addresses", () => {
    const a = allocate(priv("a", { interface: iface("192.168.7.2", 24, "192.168.7.1") }), []);
    expect(a.resolved.interface?.ipAddr).toBe("192.168.7.2");
    expect(a.claims.map((c) => `${c.kind} ${c.key}`)).toEqual([
      "subnet 192.168.7.0/24",
      "addr 192.168.7.2",
      "addr 192.168.7.1",
    ]);
  });

  it("detects overlap with any held subnet, whatever its size", () => {
    const [a] = sequence([priv("a")]);
    const inside = priv("b", { interface: iface("10.200.0.2", 30, "10.200.0.1") });
    const around = priv("c", { interface: iface("10.200.1.2", 16, "10.200.1.1") });
    expect(codeOf(() => allocate(inside, a!.claims))).toBe("ERR_NS_ADDRESS_IN_USE");
    expect(codeOf(() => allocate(around, a!.claims))).toBe("ERR_NS_ADDRESS_IN_USE");
  });

  it("refuses a custom address held outside any subnet claim", () => {
    const held: Claim[] = [{ kind: "addr", key: "172.20.0.1", namespaceId: "z" }];
    const cfg = priv("a", { interface: iface("172.20.0.2", 24, "172.20.0.1") });
    expect(codeOf(() => allocate(cfg, held))).toBe("ERR_NS_ADDRESS_IN_USE");
  });

  it("makes the pool skip subnets taken by custom addresses", () => {
    const [, small, , big, next] = sequence([
      priv("custom", { interface: iface("10.200.0.2", 30, "10.200.0.1") }),
      priv("small"),
      priv("wide", { interface: iface("10.200.1.10", 24, "10.200.1.1") }),
      priv("big"),
      priv("next"),
    ]);
    expect(small!.resolved.interface?.ipAddr).toBe("10.200.0.6");
    expect(big!.resolved.interface?.ipAddr).toBe("10.200.0.10");
    expect(next!.resolved.interface?.ipAddr).toBe("10.200.0.14");
    // A /23 pool whose upper /24 is taken by a custom subnet holds only 64 /30s.
    const wideHeld = sequence([priv("w", { interface: iface("10.200.1.10", 24, "10.200.1.1") })])[0]!.claims;
    let claims = wideHeld;
    for (let i = 0; i < 64; i++)
      claims = claims.concat(allocate(priv(`g${i}`), claims, { privatePool: "10.200.0.0/23" }).claims);
    expect(codeOf(() => allocate(priv("g64"), claims, { privatePool: "10.200.0.0/23" }))).toBe(
      "ERR_NS_POOL_EXHAUSTED",
    );
  });

  it("supports IPv6 custom interfaces", () => {
    const a = allocate(priv("a", { interface: iface("fd00::2", 64, "fd00::1") }), []);
    expect(a.claims[0]).toEqual({ kind: "subnet", key: "fd00::/64", namespaceId: "a" });
  });
});

describe("bridges", () => {
  it("puts members of one bridge on one /24 from 10.201.0.0/16, other bridges on other /24s", () => {
    const [x1, x2, y1] = sequence([bridged("x1", "x"), bridged("x2", "x"), bridged("y1", "y")]);
    expect(x1!.resolved.bridgeSubnet).toBe("10.201.0.0/24");
    expect(x1!.resolved.interface).toEqual({ name: "eth0", ipAddr: "10.201.0.1", prefixLen: 24, mtu: 1500 });
    expect(x2!.resolved.interface?.ipAddr).toBe("10.201.0.2");
    expect(y1!.resolved.bridgeSubnet).toBe("10.201.1.0/24");
    expect(x2!.claims).toEqual([
      { kind: "bridge", key: "x", value: "10.201.0.0/24", namespaceId: "x2" },
      { kind: "addr", key: "10.201.0.2", namespaceId: "x2" },
    ]);
  });

  it("accepts a custom address inside the bridge's subnet and refuses others", () => {
    const [x1] = sequence([bridged("x1", "x")]);
    const held = x1!.claims;
    expect(
      allocate(bridged("x2", "x", { interface: iface("10.201.0.50", 24) }), held).resolved.interface?.ipAddr,
    ).toBe("10.201.0.50");
    expect(codeOf(() => allocate(bridged("x3", "x", { interface: iface("10.201.0.1", 24) }), held))).toBe(
      "ERR_NS_ADDRESS_IN_USE",
    );
    expect(codeOf(() => allocate(bridged("x4", "x", { interface: iface("10.202.0.1", 24) }), held))).toBe(
      "ERR_NS_ADDRESS_IN_USE",
    );
  });

  it("lets a new bridge take a custom subnet unless it overlaps a held one", () => {
    const [p] = sequence([priv("p")]);
    const own = allocate(bridged("z1", "z", { interface: iface("172.30.0.5", 24) }), p!.claims);
    expect(own.resolved.bridgeSubnet).toBe("172.30.0.0/24");
    const clash = bridged("w1", "w", { interface: iface("10.200.0.9", 16) });
    expect(codeOf(() => allocate(clash, p!.claims))).toBe("ERR_NS_ADDRESS_IN_USE");
  });

  it("runs out of addresses in a small bridge subnet with ERR_NS_POOL_EXHAUSTED", () => {
    const o = { bridgedPrefix: 30 };
    const claims = sequence([bridged("a", "s"), bridged("b", "s")], o).flatMap((a) => a.claims);
    expect(codeOf(() => allocate(bridged("c", "s"), claims, o))).toBe("ERR_NS_POOL_EXHAUSTED");
  });

  it("keeps private and bridge pools apart even when configured to overlap", () => {
    const o = { bridgedPool: "10.200.0.0/16" };
    const [p, b] = sequence([priv("p"), bridged("b", "x")], o);
    expect(p!.claims[0]?.key).toBe("10.200.0.0/30");
    expect(b!.resolved.bridgeSubnet).toBe("10.200.1.0/24");
  });
});

describe("host ports", () => {
  const fwd = (hostPort: number, protocol: "tcp" | "udp" = "tcp", hostAddr?: string): PortForward => ({
    hostPort,
    nsPort: 80,
    protocol,
    ...(hostAddr ? { hostAddr } : {}),
  });
  const held = (...f: PortForward[]) => allocate(priv("a", { portForwards: f }), []).claims;
  const tryPorts = (claims: Claim[], ...f: PortForward[]) =>
    codeOf(() => allocate(priv("b", { portForwards: f }), claims));

  it("claims each forward by protocol, address and port", () => {
    expect(held(fwd(80), fwd(53, "udp", "127.0.0.1")).filter((c) => c.kind === "port")).toEqual([
      { kind: "port", key: "tcp/*/80", namespaceId: "a" },
      { kind: "port", key: "udp/127.0.0.1/53", namespaceId: "a" },
    ]);
  });

  it("refuses a host port another namespace holds, naming the owner", () => {
    try {
      allocate(priv("b", { portForwards: [fwd(8080)] }), held(fwd(8080)));
      throw new Error("allocated");
    } catch (e) {
      expect(isNsError(e, "ERR_NS_PORT_IN_USE")).toBe(true);
      expect((e as { details: object }).details).toMatchObject({ hostPort: 8080, owner: "a" });
    }
  });

  it("treats a wildcard address as overlapping every address, both ways", () => {
    expect(tryPorts(held(fwd(8080)), fwd(8080, "tcp", "127.0.0.1"))).toBe("ERR_NS_PORT_IN_USE");
    expect(tryPorts(held(fwd(8080, "tcp", "127.0.0.1")), fwd(8080))).toBe("ERR_NS_PORT_IN_USE");
    expect(tryPorts(held(fwd(8080, "tcp", "::1")), fwd(8080))).toBe("ERR_NS_PORT_IN_USE");
  });

  it("allows the same port on another address or protocol", () => {
    expect(tryPorts(held(fwd(8080, "tcp", "127.0.0.1")), fwd(8080, "tcp", "127.0.0.2"))).toBe("ok");
    expect(tryPorts(held(fwd(8080)), fwd(8080, "udp"))).toBe("ok");
    expect(tryPorts(held(fwd(8080)), fwd(8081))).toBe("ok");
  });
});

describe("modes without addresses", () => {
  it("allocates nothing for full and shared namespaces", () => {
    for (const c of [NamespaceConfig.fullIsolation(1), NamespaceConfig.shared(1)]) {
      const a = allocate(c, []);
      expect(a.claims).toEqual([]);
      expect(a.resolved.interface).toBeUndefined();
    }
  });
});
