import type { BenchResult, Row, StepProfile } from "./result.ts";
import { fmt } from "./stats.ts";

function rowLine(r: Row): string {
  const s = r.summary;
  const ratio = r.ratio !== undefined ? `${r.ratio.toFixed(2)}x ${r.baseline}` : "";
  const cells = s
    ? [r.name, r.unit, String(s.n), fmt(s.median), fmt(s.p95), fmt(s.p99), ratio, r.note ?? ""]
    : [r.name, r.unit, "1", fmt(r.value), "", "", ratio, r.note ?? ""];
  return `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
}

function profileTable(p: StepProfile): string[] {
  const cmd = Number.isNaN(p.commandMedian)
    ? "no external command"
    : `commands ${fmt(p.commandMedian)} ms of it`;
  const out = [
    `**${p.op}**: ${p.ops} ops, median ${fmt(p.opMedian)} ms, ${p.spawnsPerOp.toFixed(1)} processes${p.driverCallsPerOp > 0 ? ` and ${p.driverCallsPerOp.toFixed(1)} driver calls` : ""} per op, ${cmd} (the rest is in-process: store, IPAM, marker files, polls)`,
    "",
    "| command | per op | median ms | p95 ms |",
    "| --- | --- | --- | --- |",
  ];
  for (const s of p.steps)
    out.push(`| \`${s.command}\` | ${s.perOp.toFixed(2)} | ${fmt(s.median)} | ${fmt(s.p95)} |`);
  out.push("");
  return out;
}

/** The markdown report: one table per section, the targets, the backend's step profile, notes. */
export function renderMarkdown(r: BenchResult): string {
  const out: string[] = [
    `# ns benchmark, ${r.date} (profile ${r.profile})`,
    "",
    `Host: Linux ${r.host.kernel}, ${r.host.cpus} CPUs, Node ${r.host.node}, root: ${r.host.root}, fake host: ${r.host.fakeHost}. Load average ${r.host.load.start.toFixed(1)} at start, ${r.host.load.end.toFixed(1)} at end. Took ${r.durationSeconds.toFixed(0)} s.`,
    "",
    "Ratios are of medians, this row / the named baseline, measured in the same run.",
    "",
  ];
  const sections = [...new Set(r.rows.map((x) => x.section))];
  for (const sec of sections) {
    out.push(
      `## ${sec}`,
      "",
      "| measurement | unit | n | median | p95 | p99 | ratio | note |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const row of r.rows.filter((x) => x.section === sec)) out.push(rowLine(row));
    out.push("");
  }
  out.push(
    "## targets (library API medians)",
    "",
    "| target | measured | status | detail |",
    "| --- | --- | --- | --- |",
  );
  for (const t of r.targets) out.push(`| ${t.target} | ${t.measured} | ${t.status} | ${t.detail ?? ""} |`);
  out.push("");
  if (r.profiles.length > 0) {
    out.push("## where the backend's time goes", "");
    for (const p of r.profiles) out.push(...profileTable(p));
  }
  if (r.notes.length > 0) {
    out.push("## notes", "");
    for (const n of r.notes) out.push(`- ${n}`);
    out.push("");
  }
  return out.join("\n");
}
