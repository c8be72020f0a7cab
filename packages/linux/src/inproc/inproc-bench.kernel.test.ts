import { createExecRunner, createNamespaceManager } from "@ns/core";
import { type NamespaceConfig as Config, NamespaceConfig } from "@ns/types";
import { expect, it } from "vitest";
import { createLinuxBackend } from "../backend.ts";
import { createProcessDriver, type KernelDriver } from "../driver.ts";
import { DEFAULT_NETNS_DIR } from "../names.ts";
import { describeKernel } from "../testing/kernel.ts";
import { createInprocDriver } from "./index.ts";
import { median, threadNetns } from "./kernel-view.ts";

// Side-by-side medians of both drivers. 5 runs by default (a smoke check); NS_INPROC_BENCH_RUNS=50 for figures.
const RUNS = Number(process.env.NS_INPROC_BENCH_RUNS ?? 5);

describeKernel("in-process vs process driver timings", (env) => {
  const cases: [string, () => Config][] = [
    ["full", () => NamespaceConfig.fullIsolation()],
    [
      "private+1 forward",
      () =>
        NamespaceConfig.privateNetwork(undefined, {
          portForwards: [{ hostPort: 18790, nsPort: 80, protocol: "tcp" }],
        }),
    ],
  ];

  async function measure(driver: KernelDriver | undefined, config: () => Config) {
    const m = createNamespaceManager({
      backend: createLinuxBackend({ uplink: env.uplink, ...(driver ? { driver } : {}) }),
    });
    const create: number[] = [];
    const destroy: number[] = [];
    try {
      // One unmeasured round warms up caches, the nft table and (for koffi) the bindings.
      for (let i = 0; i <= RUNS; i++) {
        let t = performance.now();
        const ns = await m.create(config());
        const c = performance.now() - t;
        t = performance.now();
        await m.destroy(ns.id);
        if (i === 0) continue;
        create.push(c);
        destroy.push(performance.now() - t);
      }
    } finally {
      for (const ns of await m.list()) await m.destroy(ns.id).catch(() => undefined);
      await m.close();
    }
    return { create: median(create), destroy: median(destroy) };
  }

  it(`measures create and destroy medians over ${RUNS} runs`, {
    timeout: 60_000 + RUNS * 4_000,
  }, async () => {
    const home = threadNetns();
    const inproc = createInprocDriver({ runner: createExecRunner(), netnsDir: DEFAULT_NETNS_DIR });
    const rows: string[] = [];
    for (const [name, config] of cases) {
      const p = await measure(
        createProcessDriver({ runner: createExecRunner(), netnsDir: DEFAULT_NETNS_DIR }),
        config,
      );
      const i = await measure(inproc, config);
      const f = (x: number) => `${x.toFixed(2)} ms`.padStart(10);
      rows.push(`${`${name} create`.padEnd(26)}${f(p.create)}${f(i.create)}`);
      rows.push(`${`${name} destroy`.padEnd(26)}${f(p.destroy)}${f(i.destroy)}`);
    }
    process.stdout.write(
      `\nmedians over ${RUNS} runs         process   in-proc\n${rows.join("\n")}\n` +
        `in-proc driver: ${JSON.stringify(inproc.stats)}\n`,
    );
    expect(inproc.stats.delegatedBatches).toBe(0);
    expect(threadNetns()).toBe(home);
  });
});
