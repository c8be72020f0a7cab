import { sumInterfaceStats as sumStats } from "@ns/types";
import { describe, expect, it } from "vitest";
import { hostUpstreamServers, resolvConfText } from "./dns.ts";
import { parseProcNetDev } from "./driver.ts";
import { createMemoryFileOps } from "./fs.ts";
import { parseInterfaceStats } from "./stats.ts";

describe("parsers", () => {
  it("reads link names from /proc/net/dev", () => {
    const text = "Inter-|   Receive\n face |bytes\n    lo: 1 2 3\nnsv0123456789ab: 0 0\n";
    expect(parseProcNetDev(text)).toEqual(["lo", "nsv0123456789ab"]);
  });

  it("turns ip -j -s addr into interface stats and sums them", () => {
    const json = [
      {
        ifname: "eth0",
        mtu: 1500,
        operstate: "UP",
        addr_info: [{ local: "10.200.0.2", prefixlen: 30 }],
        stats64: { rx: { bytes: 100, packets: 2, dropped: 1 }, tx: { bytes: 50, packets: 1, dropped: 0 } },
      },
      {
        ifname: "lo",
        mtu: 65536,
        operstate: "UNKNOWN",
        addr_info: [],
        stats64: { rx: { bytes: 10 }, tx: {} },
      },
    ];
    const s = sumStats("ns-a", "t", parseInterfaceStats(json));
    expect(s.interfaces[0]).toMatchObject({
      name: "eth0",
      addresses: ["10.200.0.2/30"],
      state: "up",
      rxDropped: 1,
    });
    expect(s).toMatchObject({ rxBytes: 110, txBytes: 50, rxPackets: 2, rxDropped: 1 });
  });

  it("uses the host's real upstream resolvers, never the 127.0.0.53 stub", () => {
    const stub = createMemoryFileOps({ "/etc/resolv.conf": "nameserver 127.0.0.53\nsearch lan\n" });
    expect(hostUpstreamServers(stub)).toEqual({ servers: [], search: ["lan"] });
    const resolved = createMemoryFileOps({
      "/etc/resolv.conf": "nameserver 127.0.0.53\n",
      "/run/systemd/resolve/resolv.conf": "nameserver 192.0.2.1\nnameserver ::1\nnameserver 2001:db8::1\n",
    });
    expect(hostUpstreamServers(resolved).servers).toEqual(["192.0.2.1", "2001:db8::1"]);
    expect(resolvConfText(["192.0.2.9"])).toContain("nameserver 192.0.2.9\n");
  });
});

describe("conntrack table", () => {
  it("finds entries by protocol and original destination port only", async () => {
    const { hasConntrackEntry } = await import("./driver.ts");
    const t =
      "ipv4     2 udp      17 29 src=203.0.113.1 dst=203.0.113.2 sport=40000 dport=18090 src=10.200.0.2 dst=203.0.113.1 sport=9000 dport=40000 mark=0 zone=0 use=2\n";
    expect(hasConntrackEntry(t, "udp", 18090)).toBe(true);
    expect(hasConntrackEntry(t, "tcp", 18090)).toBe(false);
    expect(hasConntrackEntry(t, "udp", 40000)).toBe(false);
    expect(hasConntrackEntry("", "udp", 18090)).toBe(false);
  });
});

describe("error hints", () => {
  it("names the missing kernel feature when the kernel refuses a device type", async () => {
    const { commandError } = await import("@ns/core");
    const { withLinuxHint } = await import("./errors.ts");
    const e = commandError({
      command: "ip",
      args: ["-batch", "-"],
      exitCode: 2,
      stdout: "",
      stderr: "Error: Unknown device type.\nCommand failed -:2\n",
    });
    expect((withLinuxHint(e) as { hint: string }).hint).toMatch(/veth/);
    expect((withLinuxHint(e) as { code: string }).code).toBe("ERR_NS_COMMAND_FAILED");
  });
});
