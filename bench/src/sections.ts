import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BASELINES,
  bareNetns,
  batchedScript,
  perStepScript,
  runSpawnBaselines,
  unshareNetns,
} from "./baselines.ts";
import { runCli } from "./cli.ts";
import {
  createExecRunner,
  createMemoryStore,
  createNamespaceManager,
  createSimulationBackend,
  loadInproc,
  loadLinux,
  NamespaceConfig,
  type NamespaceManager,
} from "./deps.ts";
import { FAKE } from "./fake-host.ts";
import { runForeign } from "./foreign.ts";
import {
  destroyAlive,
  privateWithForward,
  runLifecycles,
  runUsableAndSpawn,
  track,
  untrack,
} from "./library.ts";
import { which } from "./proc.ts";
import { createTimingRunner, type TimingRunner, timeDriver } from "./profile.ts";
import type { Collector, Profile, Row } from "./result.ts";
import { coreScale, scaleDown, scaleUp } from "./scale.ts";
import { NAMES } from "./targets.ts";
import { runDirect, runThroughput } from "./throughput.ts";

/** Which sections to skip (BENCH_SKIP=foreign,cli,scale,throughput), for working on one section. */
export type Skip = Set<string>;

const SCRIPTS = { full: [bareNetns, unshareNetns], priv: [batchedScript, perStepScript] };

/** Runs one section; a failure is reported and fails the run, but the other sections still run. */
async function guard(c: Collector, what: string, fn: () => Promise<unknown>): Promise<void> {
  console.error(`[bench] ${new Date().toISOString().slice(11, 19)} ${what}`);
  try {
    await fn();
  } catch (e) {
    c.fail(`${what} failed: ${(e as Error).stack ?? e}`);
  }
}

/** The manager with the in-memory simulation backend: the in-process cost of the library alone. */
async function simulation(c: Collector, p: Profile): Promise<void> {
  const m = createNamespaceManager({ backend: createSimulationBackend(), store: createMemoryStore() });
  try {
    await runLifecycles(c, p, m, "library API (simulation backend)");
    await coreScale(c, p, m);
  } finally {
    await destroyAlive(m);
    await m.close();
  }
}

/** Everything measured without root: baselines that need no privilege and the simulation backend. */
export async function runUnprivileged(c: Collector, p: Profile): Promise<void> {
  await runSpawnBaselines(c, p, false);
  await simulation(c, p);
}

/** Everything, inside the fake host. */
export async function runKernel(c: Collector, p: Profile, skip: Skip): Promise<void> {
  await runSpawnBaselines(c, p, true);
  await guard(c, "simulation", () => simulation(c, p));
  const row = (n: string) => c.find(BASELINES, n);
  const foreign = () =>
    skip.has("foreign")
      ? Promise.resolve()
      : guard(c, "other tools", () =>
          runForeign(
            c,
            p,
            row("script batched: private+fwd: create"),
            row("script batched: private+fwd: destroy"),
          ),
        );

  const linux = await loadLinux();
  if (!linux.factory) {
    c.note(`linux backend: not measured: ${linux.reason}`);
    // The scripts still run, interleaved with the simulation manager (whose rows are discarded).
    const sim = createNamespaceManager({ backend: createSimulationBackend() });
    await guard(c, "baseline scripts", () => runLifecycles(c, p, sim, "discarded", { baselines: SCRIPTS }));
    c.rows = c.rows.filter((r) => r.section !== "discarded");
    await foreign();
    if (!skip.has("cli")) await guard(c, "ns CLI", () => runCli(c, p));
    return;
  }
  const stateDir = mkdtempSync(join(tmpdir(), "nsxt-bench-state-"));
  const runner = createTimingRunner(createExecRunner());
  const backend = linux.factory({ runner, uplink: FAKE.uplink, stateDir });
  const m = createNamespaceManager({ backend, store: createMemoryStore() });
  try {
    await guard(c, "library lifecycles", () =>
      withAnchor(m, () => runLifecycles(c, p, m, NAMES.lib, { baselines: SCRIPTS, runner })),
    );
    await guard(c, "in-process driver", () => inproc(c, p, skip));
    await guard(c, "usable and spawn", () => runUsableAndSpawn(c, p, m, row("node spawn /bin/true")));
    await foreign();
    if (!skip.has("cli")) await guard(c, "ns CLI", () => runCli(c, p));
    if (!skip.has("scale"))
      await guard(c, "scale and throughput", () => scaleAndThroughput(c, p, m, runner, skip));
  } finally {
    const errors = await destroyAlive(m);
    if (errors.length > 0) c.fail(`cleanup: ${errors.length} destroys failed: ${errors[0]}`);
    await m.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * Runs `fn` with one private namespace alive: the steady state of a host that already runs
 * namespaces. Without it every create would also build the backend's nft table and every destroy
 * remove it (the first/last namespace pays that, one nft call each).
 */
async function withAnchor(m: NamespaceManager, fn: () => Promise<void>): Promise<void> {
  const anchor = await track(m, NamespaceConfig.privateNetwork(undefined, { uplink: FAKE.uplink }));
  try {
    await fn();
  } finally {
    await untrack(m, anchor.id);
  }
}

/**
 * The same lifecycles with @ns/linux's in-process kernel driver (rtnetlink, setns and libnftables
 * through koffi) when it loads here; compared with the baseline rows measured above.
 */
async function inproc(c: Collector, p: Profile, skip: Skip): Promise<void> {
  const linux = await loadLinux();
  const make = await loadInproc();
  if (!linux.factory || !make.create) {
    c.note(`in-process driver: not measured: ${make.reason}`);
    return;
  }
  const runner = createTimingRunner(createExecRunner());
  const r = make.create({ runner, netnsDir: "/run/netns" });
  if (!r.driver) {
    c.note(`in-process driver: not measured: ${r.reason}`);
    return;
  }
  const stateDir = mkdtempSync(join(tmpdir(), "nsxt-bench-state-"));
  const m = createNamespaceManager({
    backend: linux.factory({
      runner,
      uplink: FAKE.uplink,
      stateDir,
      driver: timeDriver(r.driver as object, runner),
    }),
    store: createMemoryStore(),
  });
  const row = (n: string) => c.find(BASELINES, n);
  const pair = (n: string) =>
    [row(`${n}: create`), row(`${n}: destroy`)] as [Row | undefined, Row | undefined];
  try {
    await withAnchor(m, () =>
      runLifecycles(c, p, m, `${NAMES.lib}, in-process driver`, {
        runner,
        profilePrefix: "in-process driver: ",
        compareTo: { full: pair(bareNetns.name), priv: pair(batchedScript.name) },
      }),
    );
    if (!skip.has("scale")) {
      // The same N without processes: what grows here is in-process work (files, lists, IPAM) and the kernel.
      const where = { section: `${NAMES.scale}, in-process driver`, prefix: "in-process driver: " };
      const held = await scaleUp(c, p, m, runner, where);
      await scaleDown(c, m, held, where.section);
    }
    const stats = (r.driver as { stats?: unknown }).stats;
    if (stats) c.note(`in-process driver counters: ${JSON.stringify(stats)}`);
  } finally {
    await destroyAlive(m);
    await m.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Throughput at 1 namespace, N namespaces held, throughput at N, then the N destroyed. */
async function scaleAndThroughput(
  c: Collector,
  p: Profile,
  m: NamespaceManager,
  runner: TimingRunner,
  skip: Skip,
): Promise<void> {
  // One private namespace with the forward stays up through the scale test for throughput.
  const probe = await track(m, privateWithForward());
  try {
    const enter = (await m.enter(probe.id)).prefix;
    const tput = p.iperfSeconds > 0 && !skip.has("throughput") && which("iperf3") !== undefined;
    if (!which("iperf3")) c.note("throughput: iperf3 not installed (bench/setup.sh); skipped");
    const direct = tput ? await runDirect(c, p) : undefined;
    const at1 = tput ? await runThroughput(c, p, enter, 1, direct) : undefined;
    const held = await scaleUp(c, p, m, runner);
    try {
      if (at1) {
        const atN = await runThroughput(c, p, enter, held.ids.length + 1, direct);
        const ratio = (a: Row, b: Row) =>
          (a.summary?.median ?? Number.NaN) / (b.summary?.median ?? Number.NaN);
        c.add({ section: NAMES.tput, name: NAMES.natRatio, unit: "x", value: ratio(atN.nat, at1.nat) });
        c.add({ section: NAMES.tput, name: NAMES.fwdRatio, unit: "x", value: ratio(atN.fwd, at1.fwd) });
      } else c.note("throughput: skipped");
    } finally {
      await scaleDown(c, m, held);
    }
  } finally {
    await untrack(m, probe.id);
  }
}
