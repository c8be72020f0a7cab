import { describe, expect, it } from "vitest";
import { interfaceConfig } from "./config.ts";
import { validateConfig } from "./validate.ts";

const issuesOf = (input: unknown) => {
  const r = validateConfig(input);
  return r.ok ? [] : r.issues;
};
const fieldsOf = (input: unknown) => issuesOf(input).map((i) => i.field);
const base = { id: "t1", portForwards: [], dnsServers: [] };
const iface4 = interfaceConfig("10.9.0.2", 24, { gateway: "10.9.0.1" });
const iface6 = interfaceConfig("fd00:1::2", 64, { gateway: "fd00:1::1" });
const fwd = (hostPort: number, extra: Record<string, unknown> = {}) => ({
  hostPort,
  nsPort: 80,
  protocol: "tcp",
  ...extra,
});
const priv = (over: Record<string, unknown>) => ({ ...base, mode: "private", ...over });

describe("validateConfig: fields that make no sense for the mode", () => {
  it.each(["full", "shared"])("rejects interface, forwards, DNS, bridge and uplink in %s mode", (mode) => {
    const input = {
      ...base,
      mode,
      interface: iface4,
      portForwards: [fwd(8080)],
      dnsServers: ["1.1.1.1"],
      bridge: "b0",
      uplink: "eth0",
    };
    expect(fieldsOf(input).sort()).toEqual(["bridge", "dnsServers", "interface", "portForwards", "uplink"]);
  });

  it("rejects forwards, uplink and a gateway in bridged mode, and requires the bridge", () => {
    const input = { ...base, mode: "bridged", interface: iface4, portForwards: [fwd(1)], uplink: "eth0" };
    expect(fieldsOf(input).sort()).toEqual(["bridge", "interface.gateway", "portForwards", "uplink"]);
    expect(issuesOf({ ...base, mode: "bridged" })).toEqual([
      { field: "bridge", message: "required in bridged mode" },
    ]);
  });

  it("accepts an interface without gateway and DNS servers in bridged mode", () => {
    const input = {
      ...base,
      mode: "bridged",
      bridge: "lab",
      interface: interfaceConfig("10.50.0.7", 24),
      dnsServers: ["10.50.0.1"],
    };
    expect(validateConfig(input).ok).toBe(true);
  });

  it("rejects a bridge in private mode and requires a gateway with a custom interface", () => {
    const input = priv({ bridge: "b0", interface: interfaceConfig("10.9.0.2", 24) });
    expect(issuesOf(input)).toEqual([
      { field: "bridge", message: "only allowed in bridged mode" },
      { field: "interface.gateway", message: "required with a custom interface in private mode" },
    ]);
  });

  it("accepts everything private mode offers", () => {
    const input = priv({
      pid: 100,
      interface: iface4,
      portForwards: [fwd(8080), fwd(8080, { protocol: "udp" }), fwd(9090, { hostAddr: "127.0.0.1" })],
      dnsServers: ["1.1.1.1", "9.9.9.9"],
      uplink: "wlan0",
      labels: { app: "web" },
    });
    expect(validateConfig(input).ok).toBe(true);
  });

  it("treats empty lists as absent in every mode", () => {
    for (const mode of ["full", "shared"]) expect(validateConfig({ ...base, mode }).ok).toBe(true);
  });
});

describe("validateConfig: interface", () => {
  it.each(["10.0.0.256", "10.0.0", "fe80::1%eth0", "host.local", ""])("rejects the address %j", (ipAddr) => {
    expect(fieldsOf(priv({ interface: { ...iface4, ipAddr } }))).toEqual(["interface.ipAddr"]);
  });

  it.each([
    [iface4, 0],
    [iface4, 32],
    [iface4, 33],
    [iface4, 200],
    [iface4, 24.5],
    [iface6, 128],
    [iface6, 129],
  ] as const)("rejects prefix length %s/%s", (iface, prefixLen) => {
    expect(fieldsOf(priv({ interface: { ...iface, prefixLen } }))).toContain("interface.prefixLen");
    expect(new Set(fieldsOf(priv({ interface: { ...iface, prefixLen } })))).toEqual(
      new Set(["interface.prefixLen"]),
    );
  });

  it("names the family's range in the prefix message", () => {
    expect(issuesOf(priv({ interface: { ...iface4, prefixLen: 64 } }))).toEqual([
      { field: "interface.prefixLen", message: "must be 1..31 for an IPv4 address" },
    ]);
  });

  it.each([
    ["10.9.1.1", "outside the subnet 10.9.0.0/24"],
    ["10.9.0.2", "must differ from ipAddr"],
    ["10.9.0.0", "network or broadcast"],
    ["10.9.0.255", "network or broadcast"],
    ["fd00::1", "same IP family"],
    ["not-an-ip", "IPv4 (dotted quad) or IPv6"],
  ])("rejects the gateway %s (%s)", (gateway, message) => {
    const issues = issuesOf(priv({ interface: { ...iface4, gateway } }));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.field).toBe("interface.gateway");
    expect(issues[0]!.message).toContain(message);
  });

  it("rejects an IPv6 gateway outside its /64 and one spelled like ipAddr", () => {
    expect(fieldsOf(priv({ interface: { ...iface6, gateway: "fd00:2::1" } }))).toEqual(["interface.gateway"]);
    expect(fieldsOf(priv({ interface: { ...iface6, gateway: "FD00:1:0::2" } }))).toEqual([
      "interface.gateway",
    ]);
  });

  it("accepts a /31 (no network or broadcast address) and IPv6 gateways", () => {
    expect(
      validateConfig(priv({ interface: interfaceConfig("10.0.0.0", 31, { gateway: "10.0.0.1" }) })).ok,
    ).toBe(true);
    expect(validateConfig(priv({ interface: iface6 })).ok).toBe(true);
  });

  it.each(["10.9.0.0", "10.9.0.255"])("rejects the network or broadcast address %s as ipAddr", (ipAddr) => {
    expect(fieldsOf(priv({ interface: { ...iface4, ipAddr } }))).toEqual(["interface.ipAddr"]);
  });

  it.each([
    ["0.0.0.0", 8],
    ["127.0.0.2", 8],
    ["224.0.0.5", 8],
    ["::", 64],
    ["::1", 64],
    ["ff02::2", 64],
  ] as const)("rejects the non-unicast address %s as ipAddr", (ipAddr, prefixLen) => {
    const issues = issuesOf({
      ...base,
      mode: "bridged",
      bridge: "b",
      interface: interfaceConfig(ipAddr, prefixLen),
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ field: "interface.ipAddr" });
  });

  it("rejects a loopback gateway", () => {
    const iface = interfaceConfig("127.0.0.2", 8, { gateway: "127.0.0.1" });
    expect(fieldsOf(priv({ interface: iface }))).toEqual(["interface.ipAddr", "interface.gateway"]);
  });

  it.each([67, 65536, 0, 1500.5])("rejects the MTU %s", (mtu) => {
    expect(fieldsOf(priv({ interface: { ...iface4, mtu } }))).toEqual(["interface.mtu"]);
  });

  it("accepts MTUs 68 and 65535 on IPv4 but needs 1280 on IPv6", () => {
    for (const mtu of [68, 65535])
      expect(validateConfig(priv({ interface: { ...iface4, mtu } })).ok).toBe(true);
    expect(issuesOf(priv({ interface: { ...iface6, mtu: 1279 } }))).toEqual([
      { field: "interface.mtu", message: "must be at least 1280 for IPv6" },
    ]);
    expect(validateConfig(priv({ interface: { ...iface6, mtu: 1280 } })).ok).toBe(true);
  });

  it.each([
    "sixteen-bytes-xx",
    "ethé-1234567890",
    "a/b",
    "a b",
    "a\tb",
    "eth%d",
    "a:1",
    ".",
    "..",
    "",
    "a\u0001",
  ])("rejects the interface name %j", (name) => {
    expect(fieldsOf(priv({ interface: { ...iface4, name } }))).toEqual(["interface.name"]);
  });

  it("applies the interface name rules to the uplink too", () => {
    expect(fieldsOf(priv({ uplink: "a/b" }))).toEqual(["uplink"]);
    expect(validateConfig(priv({ uplink: "fifteen-bytes-x" })).ok).toBe(true);
  });
});

describe("validateConfig: port forwards", () => {
  it.each([0, 65536, -1, 80.5])("rejects the host and namespace port %s", (p) => {
    expect(fieldsOf(priv({ portForwards: [{ hostPort: p, nsPort: p, protocol: "tcp" }] }))).toEqual([
      "portForwards.0.hostPort",
      "portForwards.0.nsPort",
    ]);
  });

  it("rejects an unknown protocol and a bad host address", () => {
    const input = priv({ portForwards: [fwd(1, { protocol: "sctp" }), fwd(2, { hostAddr: "localhost" })] });
    expect(fieldsOf(input)).toEqual(["portForwards.0.protocol", "portForwards.1.hostAddr"]);
  });

  it("flags a later forward that repeats an earlier one, naming both", () => {
    const issues = issuesOf(priv({ portForwards: [fwd(8080), fwd(9090), fwd(8080, { nsPort: 81 })] }));
    expect(issues).toEqual([
      { field: "portForwards.2", message: "duplicate forward of host port tcp/8080 (also portForwards.0)" },
    ]);
  });

  it("flags a wildcard forward against a specific host address, in either order", () => {
    expect(fieldsOf(priv({ portForwards: [fwd(80, { hostAddr: "127.0.0.1" }), fwd(80)] }))).toEqual([
      "portForwards.1",
    ]);
    expect(fieldsOf(priv({ portForwards: [fwd(80), fwd(80, { hostAddr: "127.0.0.1" })] }))).toEqual([
      "portForwards.1",
    ]);
  });

  it("flags the same IPv6 host address written two ways", () => {
    const input = priv({
      interface: iface6,
      portForwards: [fwd(80, { hostAddr: "fd00::9" }), fwd(80, { hostAddr: "FD00:0::9" })],
    });
    expect(fieldsOf(input)).toEqual(["portForwards.1"]);
  });

  it("allows one port on two host addresses or two protocols", () => {
    const portForwards = [
      fwd(80, { hostAddr: "127.0.0.1" }),
      fwd(80, { hostAddr: "127.0.0.2" }),
      fwd(80, { protocol: "udp" }),
    ];
    expect(validateConfig(priv({ portForwards })).ok).toBe(true);
  });

  it.each(["0.0.0.0", "::", "224.0.0.1", "255.255.255.255"])("rejects the host address %s", (hostAddr) => {
    const issues = issuesOf(priv({ portForwards: [fwd(80, { hostAddr })] }));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.field).toBe("portForwards.0.hostAddr");
  });

  it("rejects a host address of the other family than the interface", () => {
    expect(issuesOf(priv({ interface: iface4, portForwards: [fwd(80, { hostAddr: "::1" })] }))).toEqual([
      {
        field: "portForwards.0.hostAddr",
        message: "an IPv6 host address cannot forward to the IPv4 interface",
      },
    ]);
  });
});

describe("validateConfig: DNS servers", () => {
  it("names each bad and each duplicate server", () => {
    const input = priv({ dnsServers: ["1.1.1.1", "one.one", "1.1.1.1"] });
    expect(fieldsOf(input)).toEqual(["dnsServers.1", "dnsServers.2"]);
  });

  it("sees the same IPv6 server written two ways as a duplicate", () => {
    expect(fieldsOf(priv({ dnsServers: ["2606:4700::1111", "2606:4700:0:0::1111"] }))).toEqual([
      "dnsServers.1",
    ]);
  });
});
