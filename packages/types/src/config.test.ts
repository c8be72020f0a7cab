import { describe, expect, it } from "vitest";
import {
  forwardKey,
  forwardsConflict,
  interfaceConfig,
  NamespaceConfig,
  newNamespaceId,
  parseForwardKey,
} from "./config.ts";
import type { PortForward } from "./model.ts";
import { validateConfig } from "./validate.ts";

describe("newNamespaceId", () => {
  it("makes distinct ids of the form ns-<12 hex>", () => {
    const a = newNamespaceId();
    expect(a).toMatch(/^ns-[0-9a-f]{12}$/);
    expect(newNamespaceId()).not.toBe(a);
  });
});

describe("NamespaceConfig factories", () => {
  it("make configs that validate in every mode", () => {
    for (const c of [
      NamespaceConfig.fullIsolation(42),
      NamespaceConfig.privateNetwork(42),
      NamespaceConfig.shared(42),
      NamespaceConfig.bridged(42, "lab"),
    ])
      expect(validateConfig(c)).toEqual({ ok: true, config: c });
  });

  it("set the mode, the pid and empty lists", () => {
    expect(NamespaceConfig.fullIsolation(7)).toMatchObject({
      mode: "full",
      pid: 7,
      portForwards: [],
      dnsServers: [],
    });
    expect(NamespaceConfig.privateNetwork().mode).toBe("private");
    expect(NamespaceConfig.shared().mode).toBe("shared");
    expect(NamespaceConfig.bridged(undefined, "b0")).toMatchObject({ mode: "bridged", bridge: "b0" });
  });

  it("leave pid out when none is given", () => {
    expect("pid" in NamespaceConfig.privateNetwork()).toBe(false);
  });

  it("apply overrides", () => {
    const c = NamespaceConfig.privateNetwork(1, {
      id: "web",
      dnsServers: ["1.1.1.1"],
      portForwards: [{ hostPort: 8080, nsPort: 80, protocol: "tcp" }],
      uplink: "eth1",
    });
    expect(c).toEqual({
      id: "web",
      pid: 1,
      mode: "private",
      dnsServers: ["1.1.1.1"],
      portForwards: [{ hostPort: 8080, nsPort: 80, protocol: "tcp" }],
      uplink: "eth1",
    });
  });

  it("keep their defaults when an override is explicitly undefined", () => {
    const c = NamespaceConfig.fullIsolation(undefined, { id: undefined, portForwards: undefined });
    expect(c.id).toMatch(/^ns-/);
    expect(c.portForwards).toEqual([]);
    expect(Object.values(c)).not.toContain(undefined);
  });

  it("cannot be talked into another mode by an override", () => {
    const c = NamespaceConfig.fullIsolation(undefined, { mode: "shared" } as never);
    expect(c.mode).toBe("full");
  });

  it("let the pid argument win over an override and the bridge argument win too", () => {
    expect(NamespaceConfig.shared(5, { pid: 9 }).pid).toBe(5);
    expect(NamespaceConfig.shared(undefined, { pid: 9 }).pid).toBe(9);
    expect(NamespaceConfig.bridged(1, "right", { bridge: "wrong" }).bridge).toBe("right");
  });

  it("copy the caller's lists so later edits do not leak into the config", () => {
    const dns = ["9.9.9.9"];
    const c = NamespaceConfig.privateNetwork(1, { dnsServers: dns });
    dns.push("1.1.1.1");
    expect(c.dnsServers).toEqual(["9.9.9.9"]);
  });

  it("generate a fresh id per call", () => {
    expect(NamespaceConfig.shared().id).not.toBe(NamespaceConfig.shared().id);
  });
});

describe("forwardKey", () => {
  it("names protocol, host address and port, with * for every address", () => {
    expect(forwardKey({ protocol: "tcp", hostPort: 8080 })).toBe("tcp/*/8080");
    expect(forwardKey({ protocol: "udp", hostPort: 53, hostAddr: "127.0.0.1" })).toBe("udp/127.0.0.1/53");
  });

  it("spells the same IPv6 address the same way", () => {
    expect(forwardKey({ protocol: "tcp", hostPort: 1, hostAddr: "0:0::1" })).toBe(
      forwardKey({ protocol: "tcp", hostPort: 1, hostAddr: "::1" }),
    );
  });

  it("keeps an unparsable address verbatim", () => {
    expect(forwardKey({ protocol: "tcp", hostPort: 1, hostAddr: "bogus" })).toBe("tcp/bogus/1");
  });
});

describe("parseForwardKey", () => {
  it("gives back the forward of a key", () => {
    for (const f of [
      { protocol: "tcp" as const, hostPort: 8080 },
      { protocol: "udp" as const, hostPort: 53, hostAddr: "127.0.0.1" },
      { protocol: "tcp" as const, hostPort: 443, hostAddr: "2001:db8::1" },
    ])
      expect(parseForwardKey(forwardKey(f))).toEqual(f);
  });
});

describe("forwardsConflict", () => {
  const f = (hostPort: number, hostAddr?: string, protocol: PortForward["protocol"] = "tcp") =>
    hostAddr === undefined ? { hostPort, protocol } : { hostPort, protocol, hostAddr };

  it("flags the same port, protocol and address", () => {
    expect(forwardsConflict(f(80, "10.0.0.1"), f(80, "10.0.0.1"))).toBe(true);
    expect(forwardsConflict(f(80), f(80))).toBe(true);
  });

  it("lets different ports, protocols or addresses coexist", () => {
    expect(forwardsConflict(f(80), f(81))).toBe(false);
    expect(forwardsConflict(f(80), f(80, undefined, "udp"))).toBe(false);
    expect(forwardsConflict(f(80, "10.0.0.1"), f(80, "10.0.0.2"))).toBe(false);
  });

  it("treats a missing address as every address, in both orders", () => {
    expect(forwardsConflict(f(80), f(80, "10.0.0.1"))).toBe(true);
    expect(forwardsConflict(f(80, "::1"), f(80))).toBe(true);
  });

  it("treats 0.0.0.0 and :: as every address of their own family", () => {
    expect(forwardsConflict(f(80, "0.0.0.0"), f(80, "10.0.0.1"))).toBe(true);
    expect(forwardsConflict(f(80, "2001:db8::1"), f(80, "::"))).toBe(true);
    expect(forwardsConflict(f(80, "0.0.0.0"), f(80, "::1"))).toBe(false);
  });

  it("compares addresses by value, not spelling", () => {
    expect(forwardsConflict(f(80, "2001:DB8::1"), f(80, "2001:db8:0:0::1"))).toBe(true);
  });

  it("compares unparsable addresses verbatim", () => {
    expect(forwardsConflict(f(80, "x"), f(80, "x"))).toBe(true);
    expect(forwardsConflict(f(80, "x"), f(80, "10.0.0.1"))).toBe(false);
  });
});

describe("interfaceConfig", () => {
  it("defaults the name to eth0 and the MTU to 1500", () => {
    expect(interfaceConfig("10.0.0.2", 24)).toEqual({
      name: "eth0",
      ipAddr: "10.0.0.2",
      prefixLen: 24,
      mtu: 1500,
    });
  });

  it("takes name, gateway and MTU options", () => {
    expect(interfaceConfig("fd00::2", 64, { name: "veth0", gateway: "fd00::1", mtu: 9000 })).toEqual({
      name: "veth0",
      ipAddr: "fd00::2",
      prefixLen: 64,
      gateway: "fd00::1",
      mtu: 9000,
    });
  });
});
