import { readFileSync } from "node:fs";
import type { NamespaceManager } from "./deps.ts";
import { NamespaceConfig } from "./deps.ts";
import { FAKE } from "./fake-host.ts";
import { track, untrack } from "./library.ts";
import { buildProfile, type TimingRunner } from "./profile.ts";
import type { Collector, Profile } from "./result.ts";
import { summarize, timed } from "./stats.ts";
import { NAMES } from "./targets.ts";

/** MemAvailable, Slab and SUnreclaim in KiB. */
export function meminfo(): { avail: number; slab: number; sunreclaim: number } {
  const text = readFileSync("/proc/meminfo", "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? Number.NaN);
  return { avail: kb("MemAvailable"), slab: kb("Slab"), sunreclaim: kb("SUnreclaim") };
}

/** Median time of reading /proc/net/dev (the backend lists links from it): O(links) in the kernel. */
function procNetDevMs(): number {
  const t: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    readFileSync("/proc/net/dev", "utf8");
    t.push(performance.now() - t0);
  }
  return summarize(t).median;
}

/** Namespaces held by the scale test. */
export interface Held {
  ids: string[];
  failedAt?: number;
}

/** Creates N private namespaces one after another and keeps them; records growth and memory. */
export async function scaleUp(
  c: Collector,
  p: Profile,
  m: NamespaceManager,
  runner?: TimingRunner,
  where: { section: string; prefix: string } = { section: NAMES.scale, prefix: "" },
): Promise<Held> {
  const n = p.scaleN;
  const k = Math.min(100, Math.floor(n / 2));
  const held: Held = { ids: [] };
  const times: number[] = [];
  const m0 = meminfo();
  const dev0 = procNetDevMs();
  for (let i = 0; i < n; i++) {
    const config = NamespaceConfig.privateNetwork(undefined, { uplink: FAKE.uplink });
    if (runner)
      runner.current =
        i < k
          ? { op: "scale create, first k", instance: i }
          : i >= n - k
            ? { op: "scale create, last k", instance: i }
            : undefined;
    try {
      times.push(await timed(() => track(m, config)));
      held.ids.push(config.id);
    } catch (e) {
      held.failedAt = i;
      c.note(`scale: create #${i + 1} of ${n} failed: ${(e as Error).message}`);
      break;
    } finally {
      if (runner) runner.current = undefined;
    }
  }
  const m1 = meminfo();
  const dev1 = procNetDevMs();
  const got = held.ids.length;
  const S = where.section;
  c.add({ section: S, name: `create private, 0..${got} alive`, unit: "ms", summary: summarize(times) });
  const first = summarize(times.slice(0, k));
  const last = summarize(times.slice(-k));
  c.add({ section: S, name: `create private, first ${k}`, unit: "ms", summary: first });
  c.add({ section: S, name: `create private, last ${k}`, unit: "ms", summary: last });
  c.add({
    section: S,
    name: NAMES.lastFirst,
    unit: "x",
    value: last.median / first.median,
    note: `k=${k}, N=${n}`,
  });
  if (got > 0) {
    c.add({
      section: S,
      name: "memory per namespace (MemAvailable drop)",
      unit: "KiB",
      value: (m0.avail - m1.avail) / got,
      note: "machine-wide counter: other processes add noise",
    });
    c.add({
      section: S,
      name: "memory per namespace (Slab growth)",
      unit: "KiB",
      value: (m1.slab - m0.slab) / got,
      note: `of it unreclaimable: ${((m1.sunreclaim - m0.sunreclaim) / got).toFixed(1)} KiB`,
    });
  }
  c.add({
    section: S,
    name: `read /proc/net/dev with ${got} namespaces alive`,
    unit: "ms",
    value: dev1,
    note: `${dev0.toFixed(3)} ms with none; paid on each links() call of the backend`,
  });
  const limit =
    held.failedAt === undefined
      ? n > 1023
        ? "not hit: more than 1,023 private namespaces held at once"
        : `not tested: N=${n} <= 1,023`
      : `failed at #${(held.failedAt ?? 0) + 1}`;
  c.add({
    section: S,
    name: "private namespaces held at once",
    unit: "count",
    value: got,
    note: `bridge port limit (1,023): ${limit}`,
  });
  if (runner) {
    for (const op of ["scale create, first k", "scale create, last k"]) {
      const d = op.endsWith("first k") ? times.slice(0, k) : times.slice(-k);
      c.profiles.push(buildProfile(op, d, runner.records, `${where.prefix}${op}`));
    }
  }
  return held;
}

/** Destroys the held namespaces, newest first, timing each. */
export async function scaleDown(
  c: Collector,
  m: NamespaceManager,
  held: Held,
  section: string = NAMES.scale,
): Promise<void> {
  const times: number[] = [];
  const errors: string[] = [];
  for (const id of [...held.ids].reverse()) {
    try {
      times.push(await timed(() => untrack(m, id)));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (errors.length > 0) c.note(`scale: ${errors.length} destroys failed, first: ${errors[0]}`);
  c.add({
    section,
    name: `destroy private, ${held.ids.length}..1 alive`,
    unit: "ms",
    summary: summarize(times),
  });
}

/** The same N creates with the simulation backend: how much of the growth is core's (IPAM, store). */
export async function coreScale(c: Collector, p: Profile, m: NamespaceManager): Promise<void> {
  const n = p.scaleN;
  const k = Math.min(100, Math.floor(n / 2));
  const times: number[] = [];
  const ids: string[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const config = NamespaceConfig.privateNetwork(undefined, { uplink: FAKE.uplink });
      times.push(await timed(() => m.create(config)));
      ids.push(config.id);
    }
  } finally {
    for (const id of ids) await m.destroy(id).catch(() => undefined);
  }
  const first = summarize(times.slice(0, k)).median;
  const last = summarize(times.slice(-k)).median;
  c.add({
    section: "library API (simulation backend)",
    name: `create private, last-k / first-k at N=${n} (core alone: IPAM, store)`,
    unit: "x",
    value: last / first,
    note: `first ${first.toFixed(3)} ms, last ${last.toFixed(3)} ms`,
  });
}
