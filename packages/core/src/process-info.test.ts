import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { processAlive, processStartTime } from "./process-info.ts";

describe("process info", () => {
  it("knows this process is alive, also with its own start time", () => {
    expect(processAlive(process.pid)).toBe(true);
    const start = processStartTime(process.pid);
    if (process.platform === "linux") expect(start).toMatch(/^\d+$/);
    expect(processAlive(process.pid, start)).toBe(true);
  });

  it("does not take a reused pid for the process that started at another time", () => {
    if (process.platform !== "linux") return;
    expect(processAlive(process.pid, "1")).toBe(false);
  });

  it("sees an exited process as dead and without a start time", () => {
    const pid = spawnSync("true").pid!;
    expect(processAlive(pid)).toBe(false);
    expect(processStartTime(pid)).toBeUndefined();
  });

  it("never treats pid 0 or a negative pid as a process (kill would signal a group)", () => {
    for (const pid of [0, -1, 1.5]) {
      expect(processAlive(pid)).toBe(false);
      expect(processStartTime(pid)).toBeUndefined();
    }
  });

  it("reads the start time of a process whose name has spaces and parentheses", () => {
    if (process.platform !== "linux") return;
    expect(processStartTime(1)).toMatch(/^\d+$/);
  });
});

describe("owner ids", () => {
  it("names this process and tells live owners from exited ones", async () => {
    const { ownerExited, processOwnerId } = await import("./process-info.ts");
    const me = processOwnerId();
    expect(me).toMatch(/^process:\d+:\d+$/);
    expect(ownerExited(me)).toBe(false);
    expect(ownerExited("process:4194303:1")).toBe(true);
    expect(ownerExited(`process:${process.pid}:0`)).toBe(true); // same pid, another start time: reused pid
    expect(ownerExited("sqlite:/var/lib/ns/state.db")).toBe(false);
  });
});

describe("owner ids of one manager instance", () => {
  it("count as exited with their process, whatever the instance suffix", async () => {
    const { ownerExited, processOwnerId } = await import("./process-info.ts");
    expect(ownerExited(`${processOwnerId()}#ab12cd34`)).toBe(false);
    expect(ownerExited("process:4194303:1#ab12cd34")).toBe(true);
  });
});
