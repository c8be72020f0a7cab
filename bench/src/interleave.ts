import { timed } from "./stats.ts";

/** Something with a create and a destroy to time; `i` is the run number (negative: warm-up). */
export interface Candidate {
  name: string;
  create(i: number): Promise<unknown>;
  destroy(i: number): Promise<unknown>;
}

/** Create and destroy durations of one candidate. */
export interface PairTimes {
  create: number[];
  destroy: number[];
}

/**
 * Runs every candidate's create+destroy once per round, rotating the order each round, so a load
 * spike from other processes on the shared machine hits all candidates alike and the ratios hold.
 */
export async function interleave(
  runs: number,
  cands: readonly Candidate[],
  warmup = 2,
): Promise<Map<string, PairTimes>> {
  const out = new Map<string, PairTimes>(cands.map((c) => [c.name, { create: [], destroy: [] }]));
  for (let i = -warmup; i < runs; i++) {
    const k = ((i % cands.length) + cands.length) % cands.length;
    for (const c of [...cands.slice(k), ...cands.slice(0, k)]) {
      const cr = await timed(() => c.create(i));
      const dr = await timed(() => c.destroy(i));
      if (i < 0) continue; // warm-up: JIT, page cache, first nft table
      out.get(c.name)!.create.push(cr);
      out.get(c.name)!.destroy.push(dr);
    }
  }
  return out;
}

/** Times `fns` `runs` times each, interleaved with rotation; returns durations per index. */
export async function interleaveCalls(
  runs: number,
  fns: readonly (() => Promise<unknown>)[],
  warmup = 3,
): Promise<number[][]> {
  const out = fns.map(() => [] as number[]);
  for (let i = -warmup; i < runs; i++) {
    const k = ((i % fns.length) + fns.length) % fns.length;
    for (let j = 0; j < fns.length; j++) {
      const idx = (j + k) % fns.length;
      const t = await timed(fns[idx]!);
      if (i >= 0) out[idx]!.push(t);
    }
  }
  return out;
}
