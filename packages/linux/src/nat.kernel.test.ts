import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { NamespaceConfig } from "@ns/types";
import { afterAll, beforeAll, expect, it } from "vitest";
import { useKernelManager } from "./test-support/fixture.ts";
import { describeKernel } from "./testing/kernel.ts";
import {
  netnsPrefix,
  probeIcmp,
  probeTcp,
  probeUdp,
  startServers,
  type TestServers,
} from "./testing/probe.ts";

describeKernel("NAT and the metadata address on the kernel", (env) => {
  const { manager } = useKernelManager(env);
  let upstream: TestServers;
  // Servers upstream listen on every upstream address, 169.254.169.254 included.
  beforeAll(async () => {
    upstream = await startServers(netnsPrefix(env.upstreamNs), 7000, 7001, "UP");
  });
  afterAll(async () => upstream?.stop());

  it("reaches upstream from a private namespace with the uplink's address as source", async () => {
    const ns = await manager().create(NamespaceConfig.privateNetwork());
    const prefix = (await manager().enter(ns.id)).prefix;
    expect(ns.uplink).toBe(env.uplink);
    expect(await probeTcp(prefix, env.upstreamAddr, 7000)).toBe(`UP ${env.hostAddr}`);
    expect(await probeUdp(prefix, env.upstreamAddr, 7001)).toBe(`UP ${env.hostAddr}`);
    expect(await probeIcmp(prefix, env.upstreamAddr)).toBe(true);
  });

  it("blocks the metadata address that the host itself reaches", async () => {
    expect(await probeTcp([], env.metadataAddr, 7000)).toBe(`UP ${env.hostAddr}`);
    const ns = await manager().create(NamespaceConfig.privateNetwork());
    const prefix = (await manager().enter(ns.id)).prefix;
    expect(await probeTcp(prefix, env.metadataAddr, 7000, 400)).toBeUndefined();
    expect(await probeUdp(prefix, env.metadataAddr, 7001, 400)).toBeUndefined();
    expect(await probeIcmp(prefix, env.metadataAddr, 400)).toBe(false);
  });

  it("gives a process entered with the prefix the namespace's resolv.conf and its own /sys/class/net", async () => {
    const ns = await manager().create(
      NamespaceConfig.privateNetwork(undefined, { dnsServers: ["192.0.2.53"] }),
    );
    const [cmd, ...args] = (await manager().enter(ns.id)).prefix;
    const out = execFileSync(cmd!, [...args, "sh", "-c", "cat /etc/resolv.conf; ls /sys/class/net"], {
      encoding: "utf8",
    });
    expect(out).toContain("nameserver 192.0.2.53");
    expect(
      out
        .split("\n")
        .filter((l) => /^(eth0|lo|uplink0)$/.test(l))
        .sort(),
    ).toEqual(["eth0", "lo"]);
    // The host's own resolv.conf is untouched.
    expect(readFileSync("/etc/resolv.conf", "utf8")).not.toContain("192.0.2.53");
  });

  it("gives the namespace the uplink's MTU and kernel counters", async () => {
    const ns = await manager().create(NamespaceConfig.privateNetwork());
    expect(ns.interface?.mtu).toBe(1500);
    await probeIcmp((await manager().enter(ns.id)).prefix, env.upstreamAddr);
    const stats = await manager().getStats(ns.id);
    const eth0 = stats.interfaces.find((i) => i.name === "eth0")!;
    expect(eth0.addresses).toEqual([`${ns.interface!.ipAddr}/30`]);
    expect(eth0.txPackets).toBeGreaterThan(0);
    expect(stats.txBytes).toBeGreaterThanOrEqual(eth0.txBytes);
  });
});
