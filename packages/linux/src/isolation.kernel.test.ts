import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { NamespaceConfig } from "@ns/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useKernelManager } from "./test-support/fixture.ts";
import { describeKernel } from "./testing/kernel.ts";
import { netnsPrefix, probeIcmp, probeTcp, startServers, type TestServers } from "./testing/probe.ts";

const BR_NF = "/proc/sys/net/bridge/bridge-nf-call-iptables";
/** Timeout of probes that must fail: locally a connect answers in well under a millisecond. */
const NO = 400;

describeKernel("isolation on the kernel", (env) => {
  const { manager, track } = useKernelManager(env);
  let hostServers: TestServers;
  beforeAll(async () => {
    hostServers = await startServers([], 7100, 7101, "HOST");
  });
  afterAll(async () => hostServers?.stop());
  const enter = async (id: string) => (await manager().enter(id)).prefix;

  it("keeps a private namespace from another one and from every host address", async () => {
    const a = await manager().create(NamespaceConfig.privateNetwork());
    const b = await manager().create(NamespaceConfig.privateNetwork());
    const pa = await enter(a.id);
    track(await startServers(await enter(b.id), 8000, 8001, "B"));
    // The host reaches both (it routes to its own gateway subnets).
    expect(await probeTcp([], b.interface!.ipAddr, 8000)).toMatch(/^B /);
    const blocked = await Promise.all([
      probeTcp(pa, b.interface!.ipAddr, 8000, NO),
      ...[a.interface!.gateway!, env.hostAddr, b.interface!.gateway!, "127.0.0.1"].map((h) =>
        probeTcp(pa, h, 7100, NO),
      ),
    ]);
    expect(blocked).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(
      await Promise.all([probeIcmp(pa, b.interface!.ipAddr, NO), probeIcmp(pa, a.interface!.gateway!, NO)]),
    ).toEqual([false, false]);
  });

  it("keeps upstream out of a private namespace even with a route to it", async () => {
    const a = await manager().create(NamespaceConfig.privateNetwork());
    track(await startServers(await enter(a.id), 8000, 8001, "A"));
    const up = netnsPrefix(env.upstreamNs);
    execFileSync("nsenter", [
      `--net=/run/netns/${env.upstreamNs}`,
      "ip",
      "route",
      "add",
      "10.200.0.0/16",
      "via",
      env.hostAddr,
    ]);
    try {
      expect(await probeTcp(up, a.interface!.ipAddr, 8000, NO)).toBeUndefined();
    } finally {
      execFileSync("nsenter", [`--net=/run/netns/${env.upstreamNs}`, "ip", "route", "del", "10.200.0.0/16"]);
    }
  });

  it("gives a full namespace only loopback and no way out", async () => {
    const f = await manager().create(NamespaceConfig.fullIsolation());
    const pf = await enter(f.id);
    const links = execFileSync(pf[0]!, [...pf.slice(1), "ip", "-o", "link"], { encoding: "utf8" });
    expect(links.trim().split("\n")).toHaveLength(1);
    expect(links).toContain("lo:");
    expect(
      await Promise.all([probeTcp(pf, env.hostAddr, 7100, NO), probeTcp(pf, env.upstreamAddr, 7100, NO)]),
    ).toEqual([undefined, undefined]);
    track(await startServers(pf, 8000, 8001, "F"));
    expect(await probeTcp(pf, "127.0.0.1", 8000)).toMatch(/^F /);
  });

  for (const brnf of ["1", "0"]) {
    describe(`bridged namespaces with bridge-nf-call-iptables=${brnf}`, () => {
      let before: string | undefined;
      beforeAll(() => {
        before = readFileSync(BR_NF, "utf8").trim();
        writeFileSync(BR_NF, brnf);
      });
      afterAll(() => {
        if (before !== undefined) writeFileSync(BR_NF, before);
      });

      it("connects members of one bridge and nothing else", async () => {
        const x1 = await manager().create(NamespaceConfig.bridged(undefined, "iso-x"));
        const x2 = await manager().create(NamespaceConfig.bridged(undefined, "iso-x"));
        const y1 = await manager().create(NamespaceConfig.bridged(undefined, "iso-y"));
        const p1 = await enter(x1.id);
        track(await startServers(await enter(x2.id), 8000, 8001, "X2"));
        track(await startServers(await enter(y1.id), 8000, 8001, "Y1"));
        track(await startServers(p1, 8000, 8001, "X1"));
        expect(await probeTcp(p1, x2.interface!.ipAddr, 8000)).toMatch(/^X2 /);
        expect(
          await Promise.all([
            probeTcp(p1, y1.interface!.ipAddr, 8000, NO),
            probeTcp(p1, env.hostAddr, 7100, NO),
            probeTcp([], x1.interface!.ipAddr, 8000, NO),
          ]),
        ).toEqual([undefined, undefined, undefined]);
        // A root process inside may add routes of its own: the host still drops it.
        execFileSync(p1[0]!, [...p1.slice(1), "ip", "route", "add", "default", "dev", "eth0"]);
        expect(
          await Promise.all([
            probeTcp(p1, env.hostAddr, 7100, NO),
            probeTcp(p1, y1.interface!.ipAddr, 8000, NO),
            probeTcp(p1, env.upstreamAddr, 7100, NO),
          ]),
        ).toEqual([undefined, undefined, undefined]);
      });
    });
  }
});
