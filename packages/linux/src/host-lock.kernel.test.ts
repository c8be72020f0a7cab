import { createExecRunner, createMemoryStore, createNamespaceManager, type NamespaceManager } from "@ns/core";
import { NamespaceConfig } from "@ns/types";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { createLinuxBackend } from "./backend.ts";
import type { KernelDriver } from "./driver.ts";
import { createInprocDriver } from "./inproc/index.ts";
import { describeKernel } from "./testing/kernel.ts";
import { netnsPrefix, probeTcp, startServers, type TestServers } from "./testing/probe.ts";

/** Timeout of probes that must fail: locally a connect answers in well under a millisecond. */
const NO = 400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeKernel("the host lock on the kernel", (env) => {
  let servers: TestServers[] = [];
  const managers: NamespaceManager[] = [];
  beforeAll(async () => {
    servers = [
      await startServers([], 7300, 7301, "HOST"),
      await startServers(netnsPrefix(env.upstreamNs), 7302, 7303, "UP"),
    ];
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });
  afterEach(async () => {
    for (const m of managers.splice(0)) {
      for (const ns of await m.list()) await m.destroy(ns.id).catch(() => undefined);
      await m.close();
    }
  });

  // Two backends, each with its own in-process lock, stand for two processes: flock excludes open files, not pids.
  it("keeps the rules of a namespace another process creates while the last one's table is being dropped", async () => {
    const real = createInprocDriver({ runner: createExecRunner(), netnsDir: "/run/netns" });
    let slowDrop = false;
    // Widens the window between "no other namespace uses the table" and the drop, as a slow process would.
    const slow: KernelDriver = Object.assign(Object.create(real) as KernelDriver, {
      async nft(script: string) {
        if (slowDrop && /delete table/.test(script)) await sleep(250);
        return real.nft(script);
      },
    });
    const store = createMemoryStore();
    const a = createNamespaceManager({
      backend: createLinuxBackend({ uplink: env.uplink, driver: slow }),
      store,
    });
    const b = createNamespaceManager({ backend: createLinuxBackend({ uplink: env.uplink }), store });
    managers.push(a, b);

    const first = await a.create(NamespaceConfig.privateNetwork());
    slowDrop = true;
    const dropping = a.destroy(first.id);
    await sleep(50); // a now holds the lock, has decided to drop the table and waits inside the drop
    const second = await b.create(NamespaceConfig.privateNetwork());
    await dropping;

    const p = (await b.enter(second.id)).prefix;
    // Still filtered: the host's services stay out of reach; and still working: NAT to upstream.
    expect(await probeTcp(p, env.hostAddr, 7300, NO)).toBeUndefined();
    expect(await probeTcp(p, second.interface!.gateway!, 7300, NO)).toBeUndefined();
    expect(await probeTcp(p, env.upstreamAddr, 7302)).toBe(`UP ${env.hostAddr}`);
  });
});
