import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./report.ts";
import { createCollector } from "./result.ts";
import { summarize } from "./stats.ts";
import { checkTargets, NAMES } from "./targets.ts";

const ms = (v: number) => summarize([v, v, v]);

describe("checkTargets", () => {
  it("says by how much a target is missed and marks the rest met or not measured", () => {
    const c = createCollector();
    c.add({ section: NAMES.lib, name: NAMES.createFull, unit: "ms", summary: ms(2.5) });
    c.add({ section: NAMES.lib, name: NAMES.createPrivate, unit: "ms", summary: ms(7.5) });
    c.add({ section: NAMES.tput, name: NAMES.natRatio, unit: "x", value: 0.9 });
    const t = checkTargets(c, 20, false);
    const by = (prefix: string) => t.find((x) => x.target.startsWith(prefix))!;
    expect(by("full create")).toMatchObject({ status: "met" });
    expect(by("private create")).toMatchObject({
      status: "missed",
      detail: "over by 2.50 ms (1.50x the target)",
    });
    expect(by("throughput at N within 5% of at 1 (NAT)")).toMatchObject({
      status: "missed",
      detail: "10.0% slower at N",
    });
    expect(by("`ns run")).toMatchObject({ status: "not measured" });
  });

  it("gives the reason for every unmeasured target when the run could not measure the kernel", () => {
    const t = checkTargets(createCollector(), 20, false, "not root: simulation only");
    expect(t.every((x) => x.status === "not measured" && x.detail === "not root: simulation only")).toBe(
      true,
    );
  });
});

describe("renderMarkdown", () => {
  it("prints one table per section with the ratio to the named baseline", () => {
    const c = createCollector();
    c.add({ section: "baselines", name: "b", unit: "ms", summary: ms(2) });
    c.add({ section: "lib", name: "x", unit: "ms", summary: ms(3), baseline: "b", ratio: 1.5 });
    const md = renderMarkdown({
      date: "d",
      profile: "smoke",
      host: { kernel: "k", cpus: 2, node: "v20", root: true, fakeHost: "f", load: { start: 1, end: 1 } },
      rows: c.rows,
      targets: [],
      profiles: [],
      notes: [],
      durationSeconds: 1,
    });
    expect(md).toContain("## baselines");
    expect(md).toContain("| x | ms | 3 | 3.00 | 3.00 | 3.00 | 1.50x b |  |");
  });
});
