import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chooseBackend, type HostFacts, loadBackend } from "@ns/core";
import { describe, expect, it } from "vitest";
import * as mod from "./index.ts";
import { createStateFiles } from "./state-files.ts";
import { createFakeMac } from "./test-support/fake-mac.ts";

const facts = (over: Partial<HostFacts> = {}, tools = ["sandbox-exec", "pfctl"]): HostFacts => ({
  platform: "darwin",
  uid: 0,
  has: (t) => tools.includes(t),
  ...over,
});

describe("probe", () => {
  it("is ok on macOS as root with sandbox-exec and pfctl, like core's chooseBackend", async () => {
    expect(await mod.probe({ facts: facts() })).toEqual({ ok: true, reason: expect.stringMatching(/macOS/) });
    expect(chooseBackend(undefined, {}, facts()).name).toBe("macos");
  });

  it.each([
    ["Linux", facts({ platform: "linux" }), /darwin.*linux/],
    ["no root", facts({ uid: 501 }), /root/],
    ["no pfctl", facts({}, ["sandbox-exec"]), /pfctl not found/],
    ["neither tool", facts({}, []), /sandbox-exec and pfctl/],
  ])("says why not: %s", async (_what, f, reason) => {
    const r = await mod.probe({ facts: f });
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(reason);
  });

  it("on this machine (not macOS) reports ok:false without touching anything", async () => {
    if (process.platform === "darwin") return;
    expect((await mod.probe()).ok).toBe(false);
  });
});

describe("module entry points", () => {
  it("is loadable by name through core: createBackend with the factory options", async () => {
    const mac = createFakeMac();
    const dir = mkdtempSync(join(tmpdir(), "ns-macos-mod-"));
    try {
      const b = await loadBackend("macos", { runner: mac.runner, stateDir: dir }, async () => mod);
      expect(b.name).toBe("macos");
      expect(b.capabilities.modes.full.enforced).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("checkPfSetup reports which hooks the main ruleset has", async () => {
    const mac = createFakeMac({ hooks: { nat: true, rdr: false, filter: true } });
    expect(await mod.checkPfSetup({ runner: mac.runner })).toEqual({ nat: true, rdr: false, filter: true });
    expect(mac.runner.lines()).toEqual(["pfctl -s nat", "pfctl -s rules"]);
  });
});

describe("state dir safety", () => {
  it("refuses a directory others can write to, and a symlink in its place", async () => {
    const root = mkdtempSync(join(tmpdir(), "ns-macos-dir-"));
    try {
      const open = join(root, "open");
      mkdirSync(open);
      chmodSync(open, 0o777);
      await expect(createStateFiles(open).write("a.sb", "x")).rejects.toMatchObject({ code: "ERR_NS_STATE" });
      const target = join(root, "target");
      mkdirSync(target, { mode: 0o700 });
      symlinkSync(target, join(root, "link"));
      await expect(createStateFiles(join(root, "link")).write("a.sb", "x")).rejects.toMatchObject({
        code: "ERR_NS_STATE",
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("lists nothing and removes quietly when the directory does not exist yet", async () => {
    const files = createStateFiles(join(tmpdir(), `ns-macos-none-${process.pid}-${Date.now()}`));
    expect(await files.list()).toEqual([]);
    expect(await files.exists("a.sb")).toBe(false);
    expect(await files.read("a.sb")).toBeUndefined();
    await files.remove("a.sb");
  });
});
