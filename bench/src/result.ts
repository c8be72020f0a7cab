import type { Summary } from "./stats.ts";

/** The two profiles: smoke proves the harness works in seconds, full is the measurement. */
export type ProfileName = "smoke" | "full";

/** Knobs of one profile. */
export interface Profile {
  name: ProfileName;
  /** Timed runs per latency measurement. */
  runs: number;
  /** Runs of the slow foreign baselines (netavark, CNI) and of `ns run`. */
  slowRuns: number;
  /** Namespaces held at once in the scale test. */
  scaleN: number;
  /** iperf3 seconds per throughput test (0 skips). */
  iperfSeconds: number;
  /** Repetitions of each throughput test (the median is kept). */
  iperfRepeats: number;
}

/** The profiles. */
export const PROFILES: Record<ProfileName, Profile> = {
  smoke: { name: "smoke", runs: 10, slowRuns: 3, scaleN: 20, iperfSeconds: 1, iperfRepeats: 1 },
  full: { name: "full", runs: 100, slowRuns: 100, scaleN: 2000, iperfSeconds: 5, iperfRepeats: 3 },
};

/** One measured line of the report. */
export interface Row {
  /** Section heading (latency, baselines, scale, throughput...). */
  section: string;
  /** What was measured. */
  name: string;
  /** Unit of summary/value. */
  unit: "ms" | "Mbit/s" | "KiB" | "x" | "count";
  /** Distribution, for repeated measurements. */
  summary?: Summary;
  /** Single value, for one-off measurements. */
  value?: number;
  /** Name of the row this one is compared with, and the ratio of medians (this / baseline). */
  baseline?: string;
  ratio?: number;
  /** Anything the reader must know (skips, fallbacks). */
  note?: string;
}

/** A target from the issue, checked against a measured figure. */
export interface TargetCheck {
  target: string;
  /** Measured figure, as text with its unit. */
  measured: string;
  /** met, missed, or not measured in this run. */
  status: "met" | "missed" | "not measured";
  /** By how much it missed, or why it was not measured. */
  detail?: string;
}

/** Per-command timing of the backend's external commands during one kind of operation. */
export interface StepProfile {
  /** Operation, e.g. "create full". */
  op: string;
  /** Operations observed. */
  ops: number;
  /** Median wall time of one operation, ms. */
  opMedian: number;
  /** Processes spawned per operation (mean). */
  spawnsPerOp: number;
  /** Calls into a timed in-process driver per operation (mean; 0 for the process driver). */
  driverCallsPerOp: number;
  /** Median ms of all commands of one operation added up; the rest is in-process time. */
  commandMedian: number;
  /** One line per distinct command. */
  steps: { command: string; perOp: number; median: number; p95: number }[];
}

/** Everything one run produced; written as JSON next to the markdown table. */
export interface BenchResult {
  date: string;
  profile: ProfileName;
  host: {
    kernel: string;
    cpus: number;
    node: string;
    root: boolean;
    fakeHost: string;
    /** 1-minute load average at start and end: the machine is shared, this says how much. */
    load: { start: number; end: number };
  };
  rows: Row[];
  targets: TargetCheck[];
  profiles: StepProfile[];
  notes: string[];
  durationSeconds: number;
}

/** Collects rows and notes while sections run. */
export interface Collector {
  rows: Row[];
  notes: string[];
  profiles: StepProfile[];
  add(row: Row): Row;
  note(text: string): void;
  /** Records a failure: noted, and the run exits non-zero. */
  fail(text: string): void;
  /** Failures so far. */
  failures: string[];
  find(section: string, name: string): Row | undefined;
}

/** Creates an empty collector. */
export function createCollector(): Collector {
  const c: Collector = {
    rows: [],
    notes: [],
    profiles: [],
    failures: [],
    fail(text) {
      c.failures.push(text);
      c.note(text);
    },
    add(row) {
      c.rows.push(row);
      return row;
    },
    note(text) {
      c.notes.push(text);
      console.error(`[bench] ${text}`);
    },
    find: (section, name) => c.rows.find((r) => r.section === section && r.name === name),
  };
  return c;
}

/** Ratio of two rows' medians (or values), undefined when either is missing. */
export function ratioOf(row: Row | undefined, base: Row | undefined): number | undefined {
  const a = row?.summary?.median ?? row?.value;
  const b = base?.summary?.median ?? base?.value;
  if (a === undefined || b === undefined || b === 0 || Number.isNaN(a) || Number.isNaN(b)) return undefined;
  return a / b;
}

/** Marks `row` as compared with `base` (by name) and stores the ratio of medians. */
export function compare(row: Row, base: Row | undefined): Row {
  if (!base) return row;
  row.baseline = base.name;
  const r = ratioOf(row, base);
  if (r !== undefined) row.ratio = r;
  return row;
}
