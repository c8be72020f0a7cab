import { BASELINES, batchedProbeable, spawnWait } from "./baselines.ts";
import type { NamespaceManager } from "./deps.ts";
import { createExecRunner, NamespaceConfig } from "./deps.ts";
import { FAKE } from "./fake-host.ts";
import { type Candidate, interleave, interleaveCalls } from "./interleave.ts";
import { which } from "./proc.ts";
import { buildProfile, type TimingRunner } from "./profile.ts";
import { type Collector, compare, type Profile, type Row } from "./result.ts";
import { FORWARD } from "./scripts.ts";
import { summarize } from "./stats.ts";
import { NAMES } from "./targets.ts";
import { timeUsable } from "./usable.ts";

/** Config of a private namespace with the one TCP forward every candidate sets up. */
export function privateWithForward(): NamespaceConfig {
  return NamespaceConfig.privateNetwork(undefined, {
    uplink: FAKE.uplink,
    portForwards: [{ hostPort: FORWARD.hostPort, nsPort: FORWARD.nsPort, protocol: "tcp" }],
  });
}

/** Ids of namespaces alive right now, destroyed by the cleanup path if a section fails. */
export const alive = new Set<string>();

/** Creates through the manager and remembers the id for cleanup. */
export async function track(m: NamespaceManager, config: NamespaceConfig) {
  const info = await m.create(config);
  alive.add(info.id);
  return info;
}

/** Destroys through the manager and forgets the id. */
export async function untrack(m: NamespaceManager, id: string): Promise<void> {
  await m.destroy(id);
  alive.delete(id);
}

/** Destroys whatever is still alive (cleanup path; keeps going past failures). */
export async function destroyAlive(m: NamespaceManager): Promise<string[]> {
  const errors: string[] = [];
  for (const id of [...alive]) {
    await untrack(m, id).catch((e: Error) => errors.push(`${id}: ${e.message}`));
    alive.delete(id);
  }
  return errors;
}

/** The manager as a candidate; tags the runner so its commands land in the step profile. */
function managerCandidate(
  m: NamespaceManager,
  label: string,
  make: () => NamespaceConfig,
  runner?: TimingRunner,
): Candidate {
  let id = "";
  const tag = (op: string, i: number) => {
    if (runner) runner.current = i >= 0 ? { op: `${op} ${label}`, instance: i } : undefined;
  };
  return {
    name: label,
    async create(i) {
      const config = make();
      id = config.id;
      tag("create", i);
      try {
        await track(m, config);
      } finally {
        if (runner) runner.current = undefined;
      }
    },
    async destroy(i) {
      tag("destroy", i);
      try {
        await untrack(m, id);
      } finally {
        if (runner) runner.current = undefined;
      }
    },
  };
}

/** Baselines run in the same rounds as the manager, per mode. */
export interface LifecycleBaselines {
  full: Candidate[];
  priv: Candidate[];
}

function addPair(
  c: Collector,
  section: string,
  names: [string, string],
  t: { create: number[]; destroy: number[] },
  base?: readonly [Row | undefined, Row | undefined],
  note?: string,
): [Row, Row] {
  const extra = note ? { note } : {};
  return [
    c.add(
      compare({ section, name: names[0], unit: "ms", summary: summarize(t.create), ...extra }, base?.[0]),
    ),
    c.add(
      compare({ section, name: names[1], unit: "ms", summary: summarize(t.destroy), ...extra }, base?.[1]),
    ),
  ];
}

/** create/destroy latency of full and private+forward through the manager, interleaved with the baselines. */
/** Options of runLifecycles. */
export interface LifecycleOptions {
  /** Candidates run in the same rounds; the first of each mode is the ratio's baseline. */
  baselines?: LifecycleBaselines;
  /** Times the backend's commands; its records feed the step profile. */
  runner?: TimingRunner;
  /** Baseline rows measured earlier (when no candidates run here): [create, destroy] per mode. */
  compareTo?: { full?: [Row | undefined, Row | undefined]; priv?: [Row | undefined, Row | undefined] };
  /** Prefix of the step profile's operation names. */
  profilePrefix?: string;
}

/** create/destroy latency of full and private+forward through the manager, interleaved with the baselines. */
export async function runLifecycles(
  c: Collector,
  p: Profile,
  m: NamespaceManager,
  section: string,
  o: LifecycleOptions = {},
): Promise<void> {
  const { runner } = o;
  const baselines = o.baselines ?? { full: [], priv: [] };
  for (const [mode, make, bases, names, earlier] of [
    [
      "full",
      () => NamespaceConfig.fullIsolation(),
      baselines.full,
      [NAMES.createFull, NAMES.destroyFull],
      o.compareTo?.full,
    ],
    [
      "private+fwd",
      privateWithForward,
      baselines.priv,
      [NAMES.createPrivate, NAMES.destroyPrivate],
      o.compareTo?.priv,
    ],
  ] as const) {
    const lib = managerCandidate(m, mode, make, runner);
    const times = await interleave(p.runs, [lib, ...bases]);
    let first: [Row | undefined, Row | undefined] | undefined = earlier;
    for (const b of bases) {
      const rows = addPair(
        c,
        BASELINES,
        [`${b.name}: create`, `${b.name}: destroy`],
        times.get(b.name)!,
        first,
      );
      first ??= rows;
    }
    const t = times.get(mode)!;
    addPair(c, section, [names[0], names[1]], t, first);
    if (runner) {
      const prefix = o.profilePrefix ?? "";
      c.profiles.push(buildProfile(`create ${mode}`, t.create, runner.records, `${prefix}create ${mode}`));
      c.profiles.push(buildProfile(`destroy ${mode}`, t.destroy, runner.records, `${prefix}destroy ${mode}`));
    }
  }
}

/** Usable time of private+forward (manager vs batched script, alternating) and spawn cost via enter(). */
export async function runUsableAndSpawn(
  c: Collector,
  p: Profile,
  m: NamespaceManager,
  plainSpawn?: Row,
): Promise<void> {
  const lib: number[] = [];
  const script: number[] = [];
  let direct = 0;
  // The server inside is iperf3 (a small C program that starts in ~1 ms); without it, no usable rows.
  const runs = which("iperf3") ? p.runs : 0;
  if (runs === 0) c.note("usable time: iperf3 not installed (bench/setup.sh); skipped");
  for (let i = 0; i < runs; i++) {
    let id = "";
    const a = await timeUsable(
      async () => {
        const info = await track(m, privateWithForward());
        id = info.id;
        return { enter: (await m.enter(id)).prefix, nsAddr: info.interface?.ipAddr ?? "" };
      },
      () => untrack(m, id),
    );
    const b = batchedProbeable(i);
    const s = await timeUsable(b.create, b.destroy);
    if (a.via === "direct") direct++;
    if (a.via !== "failed") lib.push(a.ms);
    if (s.via !== "failed") script.push(s.ms);
  }
  const base =
    runs === 0
      ? undefined
      : c.add({
          section: BASELINES,
          name: "script batched: usable (create -> TCP answer via forward)",
          unit: "ms",
          summary: summarize(script),
        });
  const note =
    direct > 0
      ? `${direct} of ${p.runs} answered only on the namespace address, not via the forward`
      : undefined;
  if (runs > 0)
    c.add(
      compare(
        {
          section: NAMES.lib,
          name: NAMES.usable,
          unit: "ms",
          summary: summarize(lib),
          ...(note ? { note } : {}),
        },
        base,
      ),
    );

  const info = await track(m, NamespaceConfig.fullIsolation());
  try {
    const [cmd, ...args] = [...(await m.enter(info.id)).prefix, "/bin/true"];
    const runner = createExecRunner();
    const [viaEnter, plain, viaRunner] = await interleaveCalls(p.runs, [
      () => spawnWait(cmd!, args),
      () => spawnWait("/bin/true"),
      () => runner.run("/bin/true", []),
    ]);
    const plainRow = c.add({
      section: BASELINES,
      name: "node spawn /bin/true (alternating with enter())",
      unit: "ms",
      summary: summarize(plain!),
    });
    c.add(
      compare(
        {
          section: NAMES.lib,
          name: "core exec runner /bin/true",
          unit: "ms",
          summary: summarize(viaRunner!),
          note: "what every backend command pays on top of the program itself",
        },
        plainRow,
      ),
    );
    c.add(
      compare(
        {
          section: NAMES.lib,
          name: NAMES.spawnEnter,
          unit: "ms",
          summary: summarize(viaEnter!),
          note: `prefix: ${[cmd, ...args.slice(0, -1)].join(" ").replace(/nsx-[\w-]+/, "nsx-<id>")}`,
        },
        plainRow ?? plainSpawn,
      ),
    );
  } finally {
    await untrack(m, info.id);
  }
}
