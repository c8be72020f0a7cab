import { interfaceConfig, isNsError } from "@ns/types";
import { describe, expect, it } from "vitest";
import { vethMacs, vethName } from "./names.ts";
import { baseTableScript, deleteElementsScript, NFT_CHAINS } from "./nft-table.ts";
import { planBridgedCreate, planBridgedDestroy } from "./plan-bridged.ts";
import { planFullCreate, planFullDestroy } from "./plan-full.ts";
import { type PrivatePlanInput, planPrivateCreate, planPrivateDestroy } from "./plan-private.ts";

const priv: PrivatePlanInput = {
  id: "ns-a",
  iface: interfaceConfig("10.200.0.2", 30, { gateway: "10.200.0.1", mtu: 1400 }),
  mtu: 1400,
  uplink: "uplink0",
  forwards: [
    { hostPort: 8080, nsPort: 80, protocol: "tcp" },
    { hostPort: 5353, nsPort: 53, protocol: "udp", hostAddr: "127.0.0.1" },
  ],
};
const veth = vethName("ns-a");

describe("full plan", () => {
  it("creates a netns with loopback up and removes only the netns", () => {
    expect(planFullCreate("ns-a")).toMatchObject({
      hostBatch: ["netns add nsx-ns-a"],
      nsBatch: ["link set lo up"],
    });
    expect(planFullDestroy("ns-a").hostBatch).toEqual(["netns del nsx-ns-a"]);
  });
});

describe("private plan", () => {
  const plan = planPrivateCreate(priv);
  const mac = vethMacs("ns-a");

  it("builds a routed veth pair with the gateway on the host end and the peer made inside the netns", () => {
    expect(plan.hostBatch).toEqual([
      "netns add nsx-ns-a",
      `link add ${veth} address ${mac.host} mtu 1400 type veth peer name eth0 address ${mac.ns} mtu 1400 netns nsx-ns-a`,
      `link set ${veth} addrgenmode none`,
      `addr add 10.200.0.1/30 dev ${veth}`,
      `link set ${veth} up`,
      `neigh replace 10.200.0.2 lladdr ${mac.ns} dev ${veth} nud permanent`,
    ]);
    expect(plan.nsBatch).toEqual([
      "link set lo up",
      "link set eth0 addrgenmode none",
      "addr add 10.200.0.2/30 dev eth0",
      "link set eth0 up",
      `neigh replace 10.200.0.1 lladdr ${mac.host} dev eth0 nud permanent`,
      "route add default via 10.200.0.1",
    ]);
  });

  it("keeps per-namespace firewall state in set and map elements only", () => {
    expect(plan.nftElements).toEqual([
      { set: "priv_ifs", key: `"${veth}"` },
      { set: "priv_src", key: `"${veth}" . 10.200.0.2` },
      { set: "egress", key: `"${veth}" . "uplink0"` },
      { set: "fwd_tcp_any", key: "8080", value: "10.200.0.2 . 80" },
      { set: "fwd_udp_addr", key: "127.0.0.1 . 5353", value: "10.200.0.2 . 53" },
    ]);
  });

  it("sets rp_filter loose and route_localnet on its own veth only, and flushes UDP conntrack of its ports", () => {
    expect(plan.sysctls).toEqual([
      [`net/ipv4/conf/${veth}/rp_filter`, "2"],
      [`net/ipv4/conf/${veth}/route_localnet`, "1"],
    ]);
    expect(plan.conntrack).toEqual([{ protocol: "udp", port: 5353 }]);
    expect(planPrivateCreate({ ...priv, forwards: [] }).sysctls).toHaveLength(1);
  });

  it("tears down elements, conntrack of both protocols, veth then netns", () => {
    const d = planPrivateDestroy(priv);
    expect(d.hostBatch).toEqual([`link del ${veth}`, "netns del nsx-ns-a"]);
    expect(d.conntrack).toHaveLength(4);
    expect(d.nftElements).toEqual(plan.nftElements);
  });

  it("refuses IPv6 addresses with ERR_NS_UNSUPPORTED", () => {
    const v6 = { ...priv, iface: interfaceConfig("fd00::2", 64, { gateway: "fd00::1" }) };
    expect(() => planPrivateCreate(v6)).toThrow(expect.objectContaining({ code: "ERR_NS_UNSUPPORTED" }));
    const fwd6 = {
      ...priv,
      forwards: [{ hostPort: 1, nsPort: 1, protocol: "tcp" as const, hostAddr: "::1" }],
    };
    try {
      planPrivateCreate(fwd6);
      throw new Error("accepted");
    } catch (e) {
      expect(isNsError(e, "ERR_NS_UNSUPPORTED")).toBe(true);
    }
  });
});

describe("bridged plan", () => {
  const input = {
    id: "ns-b",
    bridge: "web",
    iface: interfaceConfig("10.201.0.1", 24),
    mtu: 1500,
    firstOrLast: true,
  };

  it("creates the bridge with its first member only and never gives it an address", () => {
    const first = planBridgedCreate(input);
    expect(first.hostBatch[0]).toMatch(/^link add nsb[0-9a-f]{12} mtu 1500 type bridge$/);
    expect(first.hostBatch.some((l) => l.startsWith("addr add"))).toBe(false);
    expect(first.nsBatch.some((l) => l.startsWith("route"))).toBe(false);
    const second = planBridgedCreate({ ...input, firstOrLast: false });
    expect(second.hostBatch.some((l) => l.includes("type bridge"))).toBe(false);
  });

  it("removes the bridge and its elements with the last member only", () => {
    expect(planBridgedDestroy(input).hostBatch).toHaveLength(3);
    expect(planBridgedDestroy({ ...input, firstOrLast: false })).toMatchObject({
      hostBatch: [`link del ${vethName("ns-b")}`, "netns del nsx-ns-b"],
      nftElements: [],
    });
  });
});

describe("nft table", () => {
  it("declares itself idempotently and scopes every rule to our sets or to loopback", () => {
    const script = baseTableScript();
    expect(script).toContain("add table inet nsx");
    expect(script).not.toMatch(/flush ruleset|flush table/);
    for (const c of NFT_CHAINS) {
      expect(script).toContain(`flush chain inet nsx ${c.name}`);
      for (const r of c.rules) expect(r).toMatch(/@(priv_ifs|bridges|egress|bridge_self|fwd_)|"lo"/);
    }
  });

  it("deletes elements whether or not they are there (add, then delete, in one transaction)", () => {
    const s = deleteElementsScript([{ set: "fwd_tcp_any", key: "80", value: "10.200.0.2 . 80" }]);
    const add = s.indexOf("add element inet nsx fwd_tcp_any { 80 : 10.200.0.2 . 80 }");
    const del = s.indexOf("delete element inet nsx fwd_tcp_any { 80 }");
    expect(add).toBeGreaterThan(0);
    expect(del).toBeGreaterThan(add);
  });
});

describe("veth addresses", () => {
  it("are fixed, locally administered unicast MACs that differ per namespace", () => {
    const a = vethMacs("ns-a");
    expect(vethMacs("ns-a")).toEqual(a);
    expect(a.host).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    expect(a.ns).toMatch(/^06(:[0-9a-f]{2}){5}$/);
    expect(vethMacs("ns-b").host).not.toBe(a.host);
  });
});
