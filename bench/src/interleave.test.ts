import { describe, expect, it } from "vitest";
import { interleave, interleaveCalls } from "./interleave.ts";

describe("interleave", () => {
  it("runs every candidate once per round, rotating who goes first, and drops warm-up rounds", async () => {
    const log: string[] = [];
    const cand = (name: string) => ({
      name,
      create: async (i: number) => log.push(`${name}+${i}`),
      destroy: async (i: number) => log.push(`${name}-${i}`),
    });
    const times = await interleave(2, [cand("a"), cand("b")], 1);
    expect(log).toEqual([
      "b+-1",
      "b--1",
      "a+-1",
      "a--1",
      "a+0",
      "a-0",
      "b+0",
      "b-0",
      "b+1",
      "b-1",
      "a+1",
      "a-1",
    ]);
    expect(times.get("a")!.create).toHaveLength(2);
    expect(times.get("b")!.destroy).toHaveLength(2);
  });

  it("keeps the durations of each function apart", async () => {
    const [x, y] = await interleaveCalls(3, [async () => 1, async () => 2], 0);
    expect(x).toHaveLength(3);
    expect(y).toHaveLength(3);
  });
});
