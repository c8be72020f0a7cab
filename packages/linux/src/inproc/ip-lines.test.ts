import { interfaceConfig } from "@ns/types";
import { describe, expect, it } from "vitest";
import { vethMacs, vethName } from "../names.ts";
import { planBridgedCreate, planBridgedDestroy } from "../plan-bridged.ts";
import { planFullCreate, planFullDestroy } from "../plan-full.ts";
import { planPrivateCreate, planPrivateDestroy } from "../plan-private.ts";
import { parseIpBatch, parseIpLine } from "./ip-lines.ts";

const iface = interfaceConfig("10.200.0.2", 30, { gateway: "10.200.0.1", mtu: 1400 });
const priv = {
  id: "ns-a",
  iface,
  mtu: 1400,
  uplink: "uplink0",
  forwards: [{ hostPort: 8080, nsPort: 80, protocol: "tcp" as const }],
};
const bridged = { id: "ns-b", bridge: "team", iface, mtu: 1400, firstOrLast: true };

describe("ip line interpreter", () => {
  it("understands every line the planners generate", () => {
    const plans = [
      planFullCreate("ns-a"),
      planFullDestroy("ns-a"),
      planPrivateCreate(priv),
      planPrivateDestroy(priv),
      planBridgedCreate(bridged),
      planBridgedDestroy(bridged),
      planBridgedCreate({ ...bridged, firstOrLast: false }),
    ];
    for (const p of plans) {
      expect(parseIpBatch(p.hostBatch), p.hostBatch.join("\n")).toBeDefined();
      expect(parseIpBatch(p.nsBatch), p.nsBatch.join("\n")).toBeDefined();
    }
  });

  it("reads a private namespace's host and namespace batches into ops", () => {
    const p = planPrivateCreate(priv);
    const veth = vethName("ns-a");
    const mac = vethMacs("ns-a");
    expect(parseIpBatch(p.hostBatch)).toEqual([
      { kind: "netns-add", name: "nsx-ns-a" },
      {
        kind: "veth-add",
        name: veth,
        address: mac.host,
        mtu: 1400,
        peer: { name: "eth0", address: mac.ns, mtu: 1400, netns: "nsx-ns-a" },
      },
      { kind: "link-set", dev: veth, addrgenNone: true },
      { kind: "addr-add", dev: veth, addr: "10.200.0.1", prefixLen: 30 },
      { kind: "link-set", dev: veth, up: true },
      { kind: "neigh-replace", dst: "10.200.0.2", lladdr: mac.ns, dev: veth },
    ]);
    expect(parseIpBatch(p.nsBatch)).toEqual([
      { kind: "link-set", dev: "lo", up: true },
      { kind: "link-set", dev: "eth0", addrgenNone: true },
      { kind: "addr-add", dev: "eth0", addr: "10.200.0.2", prefixLen: 30 },
      { kind: "link-set", dev: "eth0", up: true },
      { kind: "neigh-replace", dst: "10.200.0.1", lladdr: mac.host, dev: "eth0" },
      { kind: "route-default", via: "10.200.0.1" },
    ]);
  });

  it("reads bridge creation, enslaving and removal", () => {
    expect(parseIpLine("link add nsb0123456789ab mtu 1400 type bridge")).toEqual({
      kind: "bridge-add",
      name: "nsb0123456789ab",
      mtu: 1400,
    });
    expect(parseIpLine("link set nsv1 master nsb2")).toEqual({
      kind: "link-set",
      dev: "nsv1",
      master: "nsb2",
    });
    expect(parseIpLine("link set dev x mtu 9000 down")).toEqual({
      kind: "link-set",
      dev: "x",
      mtu: 9000,
      up: false,
    });
    expect(parseIpLine("link del nsb2")).toEqual({ kind: "link-del", dev: "nsb2" });
    expect(parseIpLine("link delete dev nsb2")).toEqual({ kind: "link-del", dev: "nsb2" });
    expect(parseIpLine("netns delete nsx-a")).toEqual({ kind: "netns-del", name: "nsx-a" });
  });

  it("skips blank lines", () => {
    expect(parseIpBatch(["", "link set lo up", "  "])).toEqual([{ kind: "link-set", dev: "lo", up: true }]);
  });

  it("leaves everything else to ip (the whole batch is delegated)", () => {
    const outside = [
      "addr add fd00::1/64 dev eth0",
      "addr add 10.0.0.1/33 dev eth0",
      "addr add 10.0.0.1 dev eth0",
      "route add 10.0.0.0/8 via 10.0.0.1",
      "route add default via fd00::1",
      "route add default via 10.0.0.1 dev eth0",
      "link add x type dummy",
      "link add x type veth peer name y netns a b",
      "link add averyveryverylongname type bridge",
      "link set x promisc on",
      "link set x mtu 20",
      "link set x",
      "link set x addrgenmode eui64",
      "link add x address 02:00:00:00:00:0g type veth peer name y",
      "link add x address 02:00:00:00:00:01 type bridge",
      "neigh replace 10.0.0.1 lladdr 02:00:00:00:00:01 dev x",
      "neigh replace fd00::1 lladdr 02:00:00:00:00:01 dev x nud permanent",
      "neigh add 10.0.0.1 lladdr 02:00:00:00:00:01 dev x nud permanent",
      "netns add a/b",
      "netns add ..",
      "netns exec a true",
      "link del x y",
      "-force link del x",
      "rule add from all",
    ];
    for (const line of outside) expect(parseIpLine(line), line).toBeUndefined();
    expect(parseIpBatch(["link set lo up", "rule add from all"])).toBeUndefined();
  });
});

describe("blackhole routes", () => {
  it("parses replace and del of a /32 blackhole, and nothing wider", () => {
    expect(parseIpLine("route replace blackhole 10.200.0.2/32")).toEqual({
      kind: "route-blackhole",
      dst: "10.200.0.2",
      del: false,
    });
    expect(parseIpLine("route del blackhole 10.200.0.2/32")).toMatchObject({ del: true });
    expect(parseIpLine("route replace blackhole 10.200.0.0/30")).toBeUndefined();
  });
});
