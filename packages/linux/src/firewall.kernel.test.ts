import { execFileSync } from "node:child_process";
import { createNamespaceManager } from "@ns/core";
import { NamespaceConfig } from "@ns/types";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLinuxBackend } from "./backend.ts";
import { describeKernel } from "./testing/kernel.ts";
import { netnsPrefix, probeTcp, startServers, type TestServers } from "./testing/probe.ts";

const nft = (script: string) => execFileSync("nft", ["-f", "-"], { input: script });

describeKernel("coexistence with other firewall users on the kernel", (env) => {
  let upstream: TestServers;
  let host: TestServers;
  beforeAll(async () => {
    upstream = await startServers(netnsPrefix(env.upstreamNs), 7000, 7001, "UP");
    host = await startServers([], 7100, 7101, "HOST");
  });
  afterAll(async () => {
    await upstream?.stop();
    await host?.stop();
  });

  it("brings every live namespace's firewall state back after a flush, on gc", async () => {
    const backend = createLinuxBackend({ uplink: env.uplink });
    const manager = createNamespaceManager({ backend });
    try {
      const ns = await manager.create(
        NamespaceConfig.privateNetwork(undefined, {
          portForwards: [{ hostPort: 18700, nsPort: 8000, protocol: "tcp" }],
        }),
      );
      const prefix = (await manager.enter(ns.id)).prefix;
      const servers = await startServers(prefix, 8000, 8001, "A");
      try {
        // What `nft flush ruleset` or a firewalld reload does to us.
        nft("delete table inet nsx\n");
        expect(await probeTcp([], env.hostAddr, 18700, 400)).toBeUndefined();
        expect(await probeTcp(prefix, env.hostAddr, 7100)).toMatch(/^HOST/); // isolation is gone meanwhile
        const report = await manager.gc();
        expect(report.errors).toEqual([]);
        expect(await probeTcp([], env.hostAddr, 18700)).toMatch(/^A /);
        expect(await probeTcp(prefix, env.hostAddr, 7100, 400)).toBeUndefined();
        expect(await probeTcp(prefix, env.upstreamAddr, 7000)).toBe(`UP ${env.hostAddr}`);
      } finally {
        await servers.stop();
      }
    } finally {
      for (const n of await manager.list()) await manager.destroy(n.id);
      await manager.close();
    }
  });

  it("reports a foreign forward DROP policy, which its own accept cannot override", async () => {
    const backend = createLinuxBackend({ uplink: env.uplink });
    const manager = createNamespaceManager({ backend });
    nft(
      "table ip nsxtest_foreign {\n chain forward_drop { type filter hook forward priority 0; policy drop; }\n}\n",
    );
    try {
      const ns = await manager.create(NamespaceConfig.privateNetwork());
      const prefix = (await manager.enter(ns.id)).prefix;
      expect(await probeTcp(prefix, env.upstreamAddr, 7000, 400)).toBeUndefined();
      const findings = await backend.doctor();
      expect(findings).toContainEqual(
        expect.objectContaining({
          level: "warn",
          code: "foreign-forward-drop",
          message: expect.stringContaining("nsxtest_foreign"),
        }),
      );
    } finally {
      nft("delete table ip nsxtest_foreign\n");
      for (const n of await manager.list()) await manager.destroy(n.id);
      await manager.close();
    }
    expect((await backend.doctor()).some((f) => f.code === "foreign-forward-drop")).toBe(false);
  });
});
