import type { Collector, Row, TargetCheck } from "./result.ts";
import { fmt } from "./stats.ts";

/** Row names the target checks look up, shared with the sections that produce them. */
export const NAMES = {
  lib: "library API (linux backend)",
  createFull: "create full",
  destroyFull: "destroy full",
  createPrivate: "create private + 1 TCP forward",
  destroyPrivate: "destroy private + 1 TCP forward",
  usable: "usable private + forward (create -> TCP answer)",
  spawnEnter: "spawn /bin/true via enter()",
  cli: "ns CLI",
  cliRun: "ns run --mode full -- true (wall)",
  scale: "scale",
  lastFirst: "create time last-k / first-k",
  tput: "throughput (iperf3)",
  natRatio: "NAT: at N / at 1",
  fwdRatio: "forward: at N / at 1",
} as const;

const median = (r: Row | undefined) => r?.summary?.median ?? r?.value;

function atMost(
  target: string,
  row: Row | undefined,
  limit: number,
  unit: string,
  why?: string,
): TargetCheck {
  const m = median(row);
  if (m === undefined || Number.isNaN(m))
    return { target, measured: "–", status: "not measured", detail: why ?? "no measurement in this run" };
  const measured = `${fmt(m)} ${unit}`;
  if (m <= limit) return { target, measured, status: "met" };
  const over = m - limit;
  return {
    target,
    measured,
    status: "missed",
    detail: `over by ${fmt(over)} ${unit} (${(m / limit).toFixed(2)}x the target)`,
  };
}

/** Checks every target of the issue against this run's rows; says by how much a miss misses. */
export function checkTargets(
  c: Collector,
  scaleN: number,
  fullProfile: boolean,
  why?: string,
): TargetCheck[] {
  const lib = (n: string) => c.find(NAMES.lib, n);
  const out: TargetCheck[] = [];
  const inproc = `${NAMES.lib}, in-process driver`;
  for (const [section, tag] of [
    [NAMES.lib, ""],
    [inproc, " [in-process driver]"],
  ] as const) {
    const row = (n: string) => c.find(section, n);
    if (tag && !row(NAMES.createFull)) continue;
    out.push(
      atMost(`full create <= 3 ms${tag}`, row(NAMES.createFull), 3, "ms"),
      atMost(`private create with one port forward <= 5 ms${tag}`, row(NAMES.createPrivate), 5, "ms"),
      atMost(`destroy <= 3 ms (full)${tag}`, row(NAMES.destroyFull), 3, "ms"),
      atMost(`destroy <= 3 ms (private + forward)${tag}`, row(NAMES.destroyPrivate), 3, "ms"),
    );
  }
  for (const [section, tag] of [
    [NAMES.scale, ""],
    [`${NAMES.scale}, in-process driver`, " [in-process driver]"],
  ] as const) {
    const row = c.find(section, NAMES.lastFirst);
    if (tag && !row) continue;
    const lf = atMost(`last-100 / first-100 create <= 1.5 at 2,000 (here N=${scaleN})${tag}`, row, 1.5, "x");
    if (!fullProfile && lf.status !== "not measured")
      lf.detail = `${lf.detail ?? ""} (smoke: N too small to count)`.trim();
    out.push(lf);
  }
  for (const name of [NAMES.natRatio, NAMES.fwdRatio]) {
    const r = c.find(NAMES.tput, name);
    const v = median(r);
    const target = `throughput at N within 5% of at 1 (${name.split(":")[0]})`;
    if (v === undefined)
      out.push({ target, measured: "–", status: "not measured", detail: "no throughput run" });
    else if (v >= 0.95) out.push({ target, measured: `${v.toFixed(3)}x`, status: "met" });
    else
      out.push({
        target,
        measured: `${v.toFixed(3)}x`,
        status: "missed",
        detail: `${((1 - v) * 100).toFixed(1)}% slower at N`,
      });
  }
  out.push(atMost("`ns run --mode full -- true` <= 60 ms wall", c.find(NAMES.cli, NAMES.cliRun), 60, "ms"));
  const spawn = lib(NAMES.spawnEnter);
  const plain =
    c.find("baselines", "node spawn /bin/true (alternating with enter())") ??
    c.find("baselines", "node spawn /bin/true");
  const sm = median(spawn);
  const pm = median(plain);
  if (sm === undefined || pm === undefined)
    out.push({ target: "library spawn within 3 ms of a plain spawn", measured: "–", status: "not measured" });
  else {
    const d = sm - pm;
    out.push({
      target: "library spawn within 3 ms of a plain spawn",
      measured: `+${fmt(d)} ms`,
      status: d <= 3 ? "met" : "missed",
      ...(d > 3 ? { detail: `over by ${fmt(d - 3)} ms` } : {}),
    });
  }
  return why ? out.map((t) => (t.status === "not measured" ? { ...t, detail: why } : t)) : out;
}
