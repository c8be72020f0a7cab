import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { linuxExtras, readExtrasFacts } from "./linux-extras.ts";

const root = { platform: "linux" as const, uid: 0, setpriv: "/usr/bin/setpriv" };

describe("linux child prefix", () => {
  it("drops CAP_NET_RAW from an enforced root child without NetworkRaw", () => {
    expect(linuxExtras(root, { enforced: true, dropRaw: true, killWithParent: false })).toEqual([
      "/usr/bin/setpriv",
      "--bounding-set",
      "-net_raw",
    ]);
  });
  it("adds a parent-death signal when asked", () => {
    expect(linuxExtras(root, { enforced: false, dropRaw: true, killWithParent: true })).toEqual([
      "/usr/bin/setpriv",
      "--pdeathsig",
      "KILL",
    ]);
  });
  it("is empty off Linux, without setpriv, or when nothing applies", () => {
    const want = { enforced: true, dropRaw: true, killWithParent: true };
    expect(linuxExtras({ ...root, platform: "darwin" }, want)).toEqual([]);
    expect(linuxExtras({ ...root, setpriv: undefined }, want)).toEqual([]);
    expect(linuxExtras(root, { enforced: true, dropRaw: false, killWithParent: false })).toEqual([]);
    expect(linuxExtras({ ...root, uid: 1000 }, { ...want, killWithParent: false })).toEqual([]);
  });
});

describe("linux child prefix on this machine", () => {
  const facts = readExtrasFacts();
  const usable = facts.platform === "linux" && facts.uid === 0 && facts.setpriv !== undefined;
  // Changes no kernel state (only the child's own capability sets), so it runs outside the fake host.
  it.runIf(usable)("really drops CAP_NET_RAW (bit 13) from the child's bounding set", () => {
    const prefix = linuxExtras(facts, { enforced: true, dropRaw: true, killWithParent: true });
    const status = execFileSync(prefix[0]!, [...prefix.slice(1), "cat", "/proc/self/status"], {
      encoding: "utf8",
    });
    const bnd = BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)$/m.exec(status)![1]}`);
    expect((bnd >> 13n) & 1n).toBe(0n);
    expect(/^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"))).not.toBeNull();
  });
});
