import { describe, expect, it } from "vitest";
import { fmt, quantile, summarize } from "./stats.ts";

describe("summarize", () => {
  it("gives nearest-rank percentiles of 100 samples", () => {
    const s = summarize(Array.from({ length: 100 }, (_, i) => 100 - i));
    expect(s).toMatchObject({ n: 100, median: 50, p95: 95, p99: 99, min: 1, max: 100, mean: 50.5 });
  });

  it("makes p95 and p99 the maximum of a small sample", () => {
    const s = summarize([3, 1, 2]);
    expect([s.median, s.p95, s.p99]).toEqual([2, 3, 3]);
  });

  it("returns NaN for an empty sample instead of throwing", () => {
    expect(quantile([], 0.5)).toBeNaN();
    expect(summarize([]).median).toBeNaN();
  });
});

describe("fmt", () => {
  it("keeps 3 significant digits for small values and none for large ones", () => {
    expect([fmt(1.2345), fmt(12.345), fmt(1234.5), fmt(undefined)]).toEqual(["1.23", "12.3", "1235", "–"]);
  });
});
