import type { CommandRunner, RunOptions } from "./deps.ts";
import type { StepProfile } from "./result.ts";
import { now, summarize } from "./stats.ts";

/** One external command the backend ran, attributed to the operation that was running. */
export interface CommandRecord {
  op: string;
  instance: number;
  key: string;
  ms: number;
}

/** A runner that times every command of the runner it wraps, tagged with the current operation. */
export interface TimingRunner extends CommandRunner {
  /** Operation the next commands belong to (undefined: not recorded). */
  current: { op: string; instance: number } | undefined;
  readonly records: CommandRecord[];
}

/** Groups a command line into a step name: ids and numbers become `*` (ip -batch -, nsenter * ip -batch -). */
export function stepKey(command: string, args: readonly string[]): string {
  const name = command.split("/").pop() ?? command;
  if (name === "nsenter") {
    const sep = args.indexOf("--");
    const inner = args.slice(sep + 1);
    if (sep >= 0 && inner.length > 0) return `nsenter --net=* ${stepKey(inner[0]!, inner.slice(1))}`;
  }
  const parts = args.slice(0, 4).map((a) => a.replace(/[0-9a-f]{8,}|\d+/g, "*"));
  return [name, ...parts].join(" ");
}

/** Wraps `inner` so each command's duration is recorded. */
export function createTimingRunner(inner: CommandRunner): TimingRunner {
  const r: TimingRunner = {
    current: undefined,
    records: [],
    async run(command: string, args: readonly string[], options?: RunOptions) {
      const tag = r.current;
      const t0 = now();
      try {
        return await inner.run(command, args, options);
      } finally {
        if (tag) r.records.push({ ...tag, key: stepKey(command, args), ms: now() - t0 });
      }
    },
  };
  return r;
}

/** Spawn count and per-step times of one kind of operation. */
export function buildProfile(
  op: string,
  opDurations: readonly number[],
  records: readonly CommandRecord[],
  title = op,
): StepProfile {
  const mine = records.filter((x) => x.op === op);
  const ops = opDurations.length || 1;
  const perInstance = new Map<number, number>();
  // Processes a timed driver delegates to run inside its calls: count only the outer calls then.
  const outer = mine.some((x) => x.key.startsWith("driver."))
    ? mine.filter((x) => x.key.startsWith("driver."))
    : mine;
  for (const x of outer) perInstance.set(x.instance, (perInstance.get(x.instance) ?? 0) + x.ms);
  const byKey = new Map<string, number[]>();
  for (const x of mine) byKey.set(x.key, [...(byKey.get(x.key) ?? []), x.ms]);
  const steps = [...byKey.entries()]
    .map(([command, ms]) => {
      const s = summarize(ms);
      return { command, perOp: ms.length / ops, median: s.median, p95: s.p95 };
    })
    .sort((a, b) => b.median * b.perOp - a.median * a.perOp);
  return {
    op: title,
    ops: opDurations.length,
    opMedian: summarize(opDurations).median,
    spawnsPerOp: mine.filter((x) => !x.key.startsWith("driver.")).length / ops,
    driverCallsPerOp: mine.filter((x) => x.key.startsWith("driver.")).length / ops,
    commandMedian: summarize([...perInstance.values()]).median,
    steps,
  };
}

/** Step name of a driver call: method, where, and the first words of an ip batch. */
function driverKey(method: string, args: readonly unknown[]): string {
  if (method === "ipBatch") {
    const lines = (args[0] as readonly string[] | undefined) ?? [];
    const where = (args[1] as { netns?: string } | undefined)?.netns ? "in netns" : "host";
    const verbs = [...new Set(lines.map((l) => l.split(" ").slice(0, 2).join(" ")))].join(", ");
    return `driver.ipBatch ${where}: ${verbs}`;
  }
  if (method === "conntrackDelete") return `driver.conntrackDelete ${String(args[0])}`;
  return `driver.${method}`;
}

/**
 * Wraps a KernelDriver (e.g. the in-process one, which spawns nothing) so that every call is
 * timed into the runner's records like a command, tagged with the current operation.
 */
export function timeDriver<T extends object>(driver: T, runner: TimingRunner): T {
  return new Proxy(driver, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function" || typeof prop !== "string") return v;
      return (...args: unknown[]) => {
        const tag = runner.current;
        const t0 = now();
        const record = () => {
          if (tag) runner.records.push({ ...tag, key: driverKey(prop, args), ms: now() - t0 });
        };
        const out = v.apply(target, args);
        if (out instanceof Promise) return out.finally(record);
        record();
        return out;
      };
    },
  });
}
