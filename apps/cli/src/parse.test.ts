import { describe, expect, it } from "vitest";
import { exitCodeFor } from "./errors.ts";
import { buildConfig, type NamespaceOptions, parseForward } from "./parse.ts";

const fails = (o: NamespaceOptions) => {
  try {
    buildConfig(o);
  } catch (e) {
    return { code: exitCodeFor(e), message: (e as Error).message };
  }
  throw new Error("expected a usage error");
};

describe("parseForward", () => {
  it("reads HOST:NS with tcp as default protocol", () => {
    expect(parseForward("18080:80")).toEqual({ hostPort: 18080, nsPort: 80, protocol: "tcp" });
  });
  it("reads a protocol and a host address, IPv6 in brackets", () => {
    expect(parseForward("5353:53/udp")).toEqual({ hostPort: 5353, nsPort: 53, protocol: "udp" });
    expect(parseForward("127.0.0.1:8443:443/tcp")).toMatchObject({ hostAddr: "127.0.0.1", hostPort: 8443 });
    expect(parseForward("[::1]:8443:443")).toMatchObject({ hostAddr: "::1" });
  });
  it("rejects other shapes, naming the value and the accepted form", () => {
    expect(() => parseForward("80")).toThrow(/invalid --forward "80": expected HOST_PORT:NS_PORT/);
    expect(() => parseForward("80:80/sctp")).toThrow(/protocol "sctp" is not tcp or udp/);
  });
});

describe("buildConfig", () => {
  it("defaults to full isolation with a generated id", () => {
    const c = buildConfig({});
    expect(c.mode).toBe("full");
    expect(c.id).toMatch(/^ns-[0-9a-f]{12}$/);
  });
  it("maps every option into the namespace config", () => {
    const c = buildConfig({
      mode: "private",
      name: "web",
      pid: "1234",
      forward: ["8080:80", "5353:53/udp"],
      dns: ["9.9.9.9"],
      ip: "10.210.0.5/24",
      gateway: "10.210.0.1",
      mtu: "1400",
      uplink: "uplink0",
      label: ["team=net", "x=a=b"],
    });
    expect(c).toEqual({
      id: "web",
      pid: 1234,
      mode: "private",
      portForwards: [
        { hostPort: 8080, nsPort: 80, protocol: "tcp" },
        { hostPort: 5353, nsPort: 53, protocol: "udp" },
      ],
      dnsServers: ["9.9.9.9"],
      interface: { name: "eth0", ipAddr: "10.210.0.5", prefixLen: 24, gateway: "10.210.0.1", mtu: 1400 },
      uplink: "uplink0",
      labels: { team: "net", x: "a=b" },
    });
  });
  it("builds bridged configs with a bridge", () => {
    expect(buildConfig({ mode: "bridged", bridge: "lab" })).toMatchObject({ mode: "bridged", bridge: "lab" });
  });

  it.each([
    [{ mode: "open" }, /invalid --mode "open": accepted are full, private, shared, bridged/],
    [{ mode: "private", forward: ["70000:80"] }, /invalid --forward "70000:80": hostPort must be 1\.\.65535/],
    [{ mode: "private", forward: ["80:80", "80:81"] }, /invalid --forward "80:81": duplicate forward/],
    [{ mode: "full", forward: ["80:80"] }, /--forward: not allowed in full mode/],
    [{ mode: "private", dns: ["8.8.8"] }, /invalid --dns "8.8.8": must be an IPv4/],
    [{ mode: "private", ip: "10.1.1.1" }, /invalid --ip "10.1.1.1": expected ADDRESS\/PREFIX/],
    [{ mode: "private", ip: "10.1.1.5/24" }, /--gateway: required with a custom interface/],
    [
      { mode: "private", ip: "10.1.1.5/24", gateway: "10.2.0.1" },
      /invalid --gateway "10.2.0.1": .* outside the subnet/,
    ],
    [{ mode: "private", gateway: "10.1.1.1" }, /--gateway needs --ip/],
    [
      { mode: "private", ip: "10.1.1.5/24", gateway: "10.1.1.1", mtu: "20" },
      /invalid --mtu "20": must be 68\.\.65535/,
    ],
    [{ mode: "bridged" }, /--bridge: required in bridged mode/],
    [{ mode: "full", bridge: "lab" }, /invalid --bridge "lab": only allowed in bridged mode/],
    [{ mode: "private", uplink: "this-name-is-too-long" }, /invalid --uplink .*at most 15 bytes/],
    [{ name: "Bad Name" }, /invalid --name "Bad Name": must be lowercase/],
    [{ pid: "abc" }, /invalid --pid "abc": expected a positive integer/],
    [{ label: ["novalue"] }, /invalid --label "novalue": expected KEY=VALUE/],
  ] as [NamespaceOptions, RegExp][])(
    "rejects %j with exit code 2 and a message naming the option",
    (o, re) => {
      const r = fails(o);
      expect(r.code).toBe(2);
      expect(r.message).toMatch(re);
    },
  );

  it("lists every problem at once", () => {
    const r = fails({ mode: "private", forward: ["0:80"], dns: ["x"] });
    expect(r.message).toMatch(/--forward "0:80".*--dns "x"/);
  });
});
