import { isNsError, NamespaceConfig } from "@ns/types";
import { describe, expect, it } from "vitest";
import { useKernelManager } from "./test-support/fixture.ts";
import { describeKernel } from "./testing/kernel.ts";
import { netnsPrefix, probeTcp, probeUdp, startServers } from "./testing/probe.ts";

describeKernel("port forwards on the kernel", (env) => {
  const { manager, track } = useKernelManager(env);
  const up = netnsPrefix(env.upstreamNs);
  const fwd = (hostPort: number, nsPort: number, protocol: "tcp" | "udp", hostAddr?: string) =>
    hostAddr === undefined ? { hostPort, nsPort, protocol } : { hostPort, nsPort, protocol, hostAddr };

  describe("a private namespace with a TCP and a UDP forward", () => {
    it("answers on the host address, on 127.0.0.1 and from upstream, TCP and UDP", async () => {
      const ns = await manager().create(
        NamespaceConfig.privateNetwork(undefined, {
          portForwards: [fwd(18080, 8080, "tcp"), fwd(18081, 8081, "udp")],
        }),
      );
      track(await startServers((await manager().enter(ns.id)).prefix, 8080, 8081, "A"));
      expect(await probeTcp([], env.hostAddr, 18080)).toMatch(/^A /);
      expect(await probeTcp([], "127.0.0.1", 18080)).toMatch(/^A /);
      expect(await probeUdp([], env.hostAddr, 18081)).toMatch(/^A /);
      expect(await probeUdp([], "127.0.0.1", 18081)).toMatch(/^A /);
      // From upstream the namespace sees the real client (no masquerade of inbound forwards).
      expect(await probeTcp(up, env.hostAddr, 18080)).toBe(`A ${env.upstreamAddr}`);
      expect(await probeUdp(up, env.hostAddr, 18081)).toBe(`A ${env.upstreamAddr}`);
    });

    it("limits a forward bound to 127.0.0.1 to the host itself", async () => {
      const ns = await manager().create(
        NamespaceConfig.privateNetwork(undefined, { portForwards: [fwd(18082, 8080, "tcp", "127.0.0.1")] }),
      );
      track(await startServers((await manager().enter(ns.id)).prefix, 8080, 8081, "L"));
      expect(await probeTcp([], "127.0.0.1", 18082)).toMatch(/^L /);
      expect(await probeTcp([], env.hostAddr, 18082, 400)).toBeUndefined();
      // Nor does upstream reach it through the host address.
      expect(await probeTcp(up, env.hostAddr, 18082, 400)).toBeUndefined();
    });
  });

  it("hands a freed host port to the next namespace, UDP included (conntrack flushed)", async () => {
    const forwards = [fwd(18090, 9000, "udp"), fwd(18091, 9001, "tcp")];
    const a = await manager().create(NamespaceConfig.privateNetwork(undefined, { portForwards: forwards }));
    const sa = track(await startServers((await manager().enter(a.id)).prefix, 9001, 9000, "A"));
    // One fixed client port: the same conntrack entry would be reused without the flush.
    expect(await probeUdp(up, env.hostAddr, 18090, 1500, 40000)).toMatch(/^A /);
    expect(await probeTcp(up, env.hostAddr, 18091)).toMatch(/^A /);
    await sa.stop();
    await manager().destroy(a.id);
    // The freed address goes to another namespace, so a stale entry would now point at the wrong one.
    const filler = await manager().create(NamespaceConfig.privateNetwork());
    expect(filler.interface!.ipAddr).toBe(a.interface!.ipAddr);
    const b = await manager().create(NamespaceConfig.privateNetwork(undefined, { portForwards: forwards }));
    track(await startServers((await manager().enter(b.id)).prefix, 9001, 9000, "B"));
    expect(await probeUdp(up, env.hostAddr, 18090, 1500, 40000)).toMatch(/^B /);
    expect(await probeTcp(up, env.hostAddr, 18091)).toMatch(/^B /);
  });

  it("refuses a conflicting claim on a forwarded host port", async () => {
    await manager().create(
      NamespaceConfig.privateNetwork(undefined, { portForwards: [fwd(18095, 80, "udp")] }),
    );
    const again = manager().create(
      NamespaceConfig.privateNetwork(undefined, { portForwards: [fwd(18095, 81, "udp", env.hostAddr)] }),
    );
    await expect(again).rejects.toSatisfy((e) => isNsError(e, "ERR_NS_PORT_IN_USE"));
  });
});
