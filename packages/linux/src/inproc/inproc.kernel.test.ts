import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createExecRunner, createNamespaceManager, type NamespaceManager } from "@ns/core";
import { type NamespaceConfig as Config, isNsError, NamespaceConfig, type NamespaceInfo } from "@ns/types";
import { afterEach, beforeAll, expect, it } from "vitest";
import { createLinuxBackend } from "../backend.ts";
import { createProcessDriver, type KernelDriver } from "../driver.ts";
import { DEFAULT_NETNS_DIR, netnsName } from "../names.ts";
import { leftovers, NOTHING } from "../test-support/leftovers.ts";
import { describeKernel } from "../testing/kernel.ts";
import { netnsPrefix, probeTcp, startServers } from "../testing/probe.ts";
import { createInprocDriver, type InprocDriver } from "./index.ts";
import { kernelView, threadNetns } from "./kernel-view.ts";

/** Named netns this file made (netns names are machine-wide: other test runs have theirs). */
const madeNetns = new Set<string>(["nsx-inproc-err", "nsx-inproc-left"]);

const ours = () => leftovers((n) => madeNetns.has(n));
const nothing = NOTHING;

describeKernel("in-process kernel driver on the kernel", (env) => {
  const home = threadNetns();
  const inproc = (): InprocDriver =>
    createInprocDriver({ runner: createExecRunner(), netnsDir: DEFAULT_NETNS_DIR });
  const processDriver = () =>
    createProcessDriver({ runner: createExecRunner(), netnsDir: DEFAULT_NETNS_DIR });
  const managers: NamespaceManager[] = [];
  const managerWith = (driver?: KernelDriver) => {
    const m = createNamespaceManager({
      backend: createLinuxBackend({ uplink: env.uplink, ...(driver ? { driver } : {}) }),
    });
    managers.push(m);
    return m;
  };
  beforeAll(() => {
    expect(ours()).toEqual(nothing);
  });
  afterEach(async () => {
    for (const m of managers.splice(0)) {
      for (const ns of await m.list()) await m.destroy(ns.id).catch(() => undefined);
      await m.close();
    }
    // The main thread is back home after every switch, and nothing of ours is left.
    expect(threadNetns()).toBe(home);
    expect(ours()).toEqual(nothing);
  });

  /** Creates `config` with a driver, returns what `ip` shows of it, destroys it. */
  async function viewWith(driver: KernelDriver | undefined, config: () => Config[]): Promise<unknown[]> {
    const m = managerWith(driver);
    const made: NamespaceInfo[] = [];
    for (const c of config()) {
      made.push(await m.create(c));
      madeNetns.add(netnsName(made.at(-1)!.id));
    }
    const views = made.map(kernelView);
    for (const ns of made.reverse()) await m.destroy(ns.id);
    return views;
  }

  const cases: [string, () => Config[]][] = [
    ["full", () => [NamespaceConfig.fullIsolation()]],
    [
      "private with a forward",
      () => [
        NamespaceConfig.privateNetwork(undefined, {
          portForwards: [{ hostPort: 18700, nsPort: 80, protocol: "tcp" }],
        }),
      ],
    ],
    [
      "bridged (two members)",
      () => [NamespaceConfig.bridged(undefined, "ip-x"), NamespaceConfig.bridged(undefined, "ip-x")],
    ],
  ];
  for (const [name, config] of cases)
    it(`makes the same links, addresses and routes as the process driver: ${name}`, async () => {
      const driver = inproc();
      // Explicitly: with no driver given the backend picks the in-process one, which would compare it with itself.
      const byProcess = await viewWith(processDriver(), config);
      const byInproc = await viewWith(driver, config);
      expect(byInproc).toEqual(byProcess);
      expect(JSON.stringify(byInproc)).toContain('"ifname":"lo"');
      expect(driver.stats).toMatchObject({ delegatedBatches: 0 });
      expect(driver.stats.inprocBatches).toBeGreaterThanOrEqual(3);
    });

  it("gives a working private namespace: NAT upstream and a host port forward", async () => {
    const m = managerWith(inproc());
    const ns = await m.create(
      NamespaceConfig.privateNetwork(undefined, {
        portForwards: [{ hostPort: 18710, nsPort: 8080, protocol: "tcp" }],
      }),
    );
    madeNetns.add(netnsName(ns.id));
    const servers = await startServers((await m.enter(ns.id)).prefix, 8080, 8081, "IN");
    const upServers = await startServers(netnsPrefix(env.upstreamNs), 7300, 7301, "UP");
    try {
      expect(await probeTcp([], "127.0.0.1", 18710)).toMatch(/^IN /);
      expect(await probeTcp((await m.enter(ns.id)).prefix, env.upstreamAddr, 7300)).toBe(
        `UP ${env.hostAddr}`,
      );
    } finally {
      await servers.stop();
      await upServers.stop();
    }
  });

  it("maps kernel errors to the process driver's codes", async () => {
    const driver = inproc();
    const ns = "nsx-inproc-err";
    try {
      await driver.ipBatch([`netns add ${ns}`]);
      const dup = await driver.ipBatch([`netns add ${ns}`]).catch((e: unknown) => e);
      expect(isNsError(dup, "ERR_NS_NAME_IN_USE")).toBe(true);
      const lo = await driver
        .ipBatch(["link set lo up", "addr add 127.0.0.1/8 dev lo"], { netns: ns })
        .catch((e: unknown) => e);
      expect(isNsError(lo, "ERR_NS_NAME_IN_USE")).toBe(true);
      const nodev = await driver.ipBatch(["link set nsv000000000000 up"]).catch((e: unknown) => e);
      expect(isNsError(nodev, "ERR_NS_COMMAND_FAILED")).toBe(true);
      expect((nodev as Error).message).toContain('Cannot find device "nsv000000000000"');
      const gone = await driver
        .ipBatch(["link set lo up"], { netns: "nsx-inproc-nothere" })
        .catch((e: unknown) => e);
      expect(isNsError(gone, "ERR_NS_COMMAND_FAILED")).toBe(true);
      expect(threadNetns()).toBe(home);
    } finally {
      const r = await driver.ipBatch([`netns del ${ns}`, `netns del ${ns}`], { force: true });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain("Command failed -:2");
    }
  });

  it("recovers from a leftover netns of the same name, and cleans up a create that fails midway", async () => {
    const driver = inproc();
    const m = managerWith(driver);
    const id = "inproc-left";
    execFileSync("ip", ["netns", "add", netnsName(id)]);
    const ns = await m.create(NamespaceConfig.privateNetwork(undefined, { id }));
    expect(ns.id).toBe(id);
    await m.destroy(id);
    // The first nft call fails after both ip batches: the backend must take links and netns away again.
    let nftCalls = 0;
    const failing: KernelDriver = {
      ...driver,
      nft: async (script) => {
        if (nftCalls++ === 0) throw new Error("simulated nft failure");
        return driver.nft(script);
      },
    };
    const f = managerWith(failing);
    const config = NamespaceConfig.privateNetwork();
    madeNetns.add(netnsName(config.id));
    await expect(f.create(config)).rejects.toThrow();
    expect(ours()).toMatchObject({ netns: [], links: [] });
  });

  it("is used automatically and leaves the main thread where it was", () => {
    const before = readFileSync("/proc/self/mountinfo", "utf8").includes(`${DEFAULT_NETNS_DIR} `);
    expect(before).toBe(true);
    expect(threadNetns()).toBe(home);
  });
});
