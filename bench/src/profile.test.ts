import { describe, expect, it } from "vitest";
import { createRecordingRunner } from "./deps.ts";
import { buildProfile, createTimingRunner, stepKey, timeDriver } from "./profile.ts";

describe("stepKey", () => {
  it("names a command by its program and options, with ids replaced", () => {
    expect(stepKey("ip", ["-batch", "-"])).toBe("ip -batch -");
    expect(stepKey("/usr/sbin/conntrack", ["-D", "-p", "udp", "--orig-port-dst", "18080"])).toBe(
      "conntrack -D -p udp --orig-port-dst",
    );
    expect(stepKey("nsenter", ["--net=/run/netns/nsx-ns-0123456789ab", "--", "ip", "-batch", "-"])).toBe(
      "nsenter --net=* ip -batch -",
    );
  });
});

describe("timing runner", () => {
  it("attributes each command to the operation that was running, and none outside one", async () => {
    const runner = createTimingRunner(createRecordingRunner());
    await runner.run("ip", ["-batch", "-"]);
    runner.current = { op: "create full", instance: 0 };
    await runner.run("ip", ["-batch", "-"]);
    await runner.run("nft", ["-f", "-"]);
    runner.current = undefined;
    expect(runner.records.map((r) => `${r.op}:${r.key}`)).toEqual([
      "create full:ip -batch -",
      "create full:nft -f -",
    ]);
    const p = buildProfile("create full", [5], runner.records);
    expect(p).toMatchObject({ ops: 1, spawnsPerOp: 2, driverCallsPerOp: 0 });
    expect(p.steps.map((s) => s.command).sort()).toEqual(["ip -batch -", "nft -f -"]);
  });

  it("times the calls of a wrapped driver, sync and async, without changing their results", async () => {
    const runner = createTimingRunner(createRecordingRunner());
    const driver = timeDriver(
      { links: () => ["lo"], ipBatch: async (lines: string[]) => lines.length, other: 1 },
      runner,
    );
    runner.current = { op: "destroy", instance: 0 };
    expect(driver.links()).toEqual(["lo"]);
    expect(await driver.ipBatch(["link del x", "netns del y"])).toBe(2);
    expect(driver.other).toBe(1);
    expect(runner.records.map((r) => r.key)).toEqual([
      "driver.links",
      "driver.ipBatch host: link del, netns del",
    ]);
    expect(buildProfile("destroy", [1], runner.records)).toMatchObject({
      spawnsPerOp: 0,
      driverCallsPerOp: 2,
    });
  });
});
