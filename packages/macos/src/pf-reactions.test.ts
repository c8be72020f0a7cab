import { existsSync } from "node:fs";
import { join } from "node:path";
import type { TeardownError } from "@ns/types";
import { afterEach, describe, expect, it } from "vitest";
import { codeOf, FWD, type Harness, harness, privateNs, recordOf } from "./test-support/harness.ts";

// How the backend reacts to what pfctl says: tokens, "pf already enabled", missing pf.conf hooks, permission
// denied, rejected rule sets, teardown past failures, aborts.

let h: Harness;
afterEach(() => h?.cleanup());

describe("pf already enabled by another tool", () => {
  it("keeps the reference token pfctl -E hands out and releases only it, leaving pf on", async () => {
    h = harness({ enabledByOthers: true });
    const ns = privateNs({ portForwards: [FWD] });
    const created = await h.backend.create(ns);
    expect(created.data).toMatchObject({ pfWasEnabled: true, pfToken: expect.stringMatching(/^\d+$/) });
    await h.backend.destroy(recordOf(ns, created.data));
    expect(h.mac.pf.tokens.size).toBe(0);
    expect(h.mac.pf.enabledByOthers).toBe(true);
    expect(h.mac.runner.lines().some((l) => l === "pfctl -d")).toBe(false);
  });

  it('treats "pfctl: pf already enabled" as success without a token, and never releases one', async () => {
    h = harness({ enabledByOthers: true, enableStyle: "already-error" });
    const ns = privateNs({ portForwards: [FWD] });
    const created = await h.backend.create(ns);
    expect(created.data).toMatchObject({ pfWasEnabled: true, anchor: "ns/web" });
    expect(created.data.pfToken).toBeUndefined();
    expect(existsSync(join(h.dir, "web.pftoken"))).toBe(false);
    h.mac.runner.reset();
    await h.backend.destroy(recordOf(ns, created.data));
    expect(h.mac.runner.lines()).toEqual(["pfctl -a ns/web -F all"]);
  });

  it("copes with a pfctl that prints no token", async () => {
    h = harness({ enableStyle: "no-token" });
    const created = await h.backend.create(privateNs({ portForwards: [FWD] }));
    expect(created.data.pfToken).toBeUndefined();
  });
});

describe("pf.conf hooks", () => {
  it("refuses forwards pf would ignore with ERR_NS_UNSUPPORTED naming the pf.conf lines, and touches nothing", async () => {
    h = harness({ hooks: { nat: false, rdr: false, filter: false } });
    const err = await codeOf(h.backend.create(privateNs({ portForwards: [FWD] })));
    expect(err.code).toBe("ERR_NS_UNSUPPORTED");
    expect(err.hint).toContain('rdr-anchor "ns/*"');
    expect(err.hint).toContain("/etc/pf.conf");
    expect(h.mac.runner.lines()).toEqual(["route -n get default", "pfctl -s nat"]);
    expect(existsSync(join(h.dir, "web.sb"))).toBe(false);
  });

  it("without a nat-anchor, loads forwards only; without any hook and forwards, takes no pf reference", async () => {
    h = harness({ hooks: { nat: false, rdr: true, filter: false } });
    const a = await h.backend.create(privateNs({ id: "a", portForwards: [FWD] }));
    expect(a.data.nat).toBe(false);
    expect(h.mac.pf.anchors.get("ns/a")).not.toMatch(/^nat /m);
    h.mac.pf.hooks.rdr = false;
    const b = await h.backend.create(privateNs({ id: "b" }));
    expect(b.data).toEqual({ mode: "private", uplink: "en0", nat: false, profile: join(h.dir, "b.sb") });
    expect(h.mac.pf.tokens.size).toBe(1);
  });
});

describe("pfctl failures", () => {
  const denied = { exitCode: 1, stderr: "pfctl: /dev/pf: Permission denied\n" };

  it.each(["pfctl: /dev/pf: Permission denied\n", "Permission denied\n"])(
    "reports %j as ERR_NS_PERMISSION with a root hint, having created nothing",
    async (stderr) => {
      h = harness();
      h.mac.failWhen((c) => c.command === "pfctl", { exitCode: 1, stderr });
      const err = await codeOf(h.backend.create(privateNs()));
      expect(err.code).toBe("ERR_NS_PERMISSION");
      expect(err.hint).toMatch(/root/);
      expect(err.details).toMatchObject({ command: "pfctl", args: ["-s", "nat"] });
      expect(existsSync(join(h.dir, "web.sb"))).toBe(false);
      await expect(h.backend.listOwned()).rejects.toMatchObject({ code: "ERR_NS_PERMISSION" });
    },
  );

  it("rolls back the anchor and the profile when pfctl -E is denied", async () => {
    h = harness();
    h.mac.failWhen((c) => c.args[0] === "-E", denied);
    const err = await codeOf(h.backend.create(privateNs({ portForwards: [FWD] })));
    expect(err.code).toBe("ERR_NS_PERMISSION");
    expect(h.mac.pf.anchors.size).toBe(0);
    expect(existsSync(join(h.dir, "web.sb"))).toBe(false);
    expect(h.mac.runner.lines().at(-1)).toBe("pfctl -a ns/web -F all");
  });

  it("reports a rejected rule set as ERR_NS_COMMAND_FAILED with pfctl's stderr, and rolls back", async () => {
    h = harness();
    h.mac.failWhen((c) => c.args[2] === "-f", {
      exitCode: 1,
      stderr: "stdin:2: syntax error\npfctl: Syntax error in config file: pf rules not loaded\n",
    });
    const err = await codeOf(h.backend.create(privateNs({ portForwards: [FWD] })));
    expect(err.code).toBe("ERR_NS_COMMAND_FAILED");
    expect(String(err.details.stderr)).toContain("syntax error");
    expect(h.mac.pf.tokens.size).toBe(0);
    expect(existsSync(join(h.dir, "web.sb"))).toBe(false);
  });

  it("keeps tearing down past failed steps and lists every failure in one TeardownError", async () => {
    h = harness();
    const ns = privateNs({ portForwards: [FWD] });
    const rec = recordOf(ns, (await h.backend.create(ns)).data);
    h.mac.failWhen((c) => c.args[2] === "-F", denied);
    h.mac.failWhen((c) => c.args[0] === "-X", { exitCode: 1, stderr: "pfctl: ioctl: Device busy\n" });
    const err = (await codeOf(h.backend.destroy(rec))) as TeardownError;
    expect(err.code).toBe("ERR_NS_TEARDOWN");
    expect(err.failures.map((f) => f.code)).toEqual(["ERR_NS_PERMISSION", "ERR_NS_COMMAND_FAILED"]);
    expect(existsSync(join(h.dir, "web.sb"))).toBe(false);
    // The token note stays, so a later gc can still release the reference.
    expect(existsSync(join(h.dir, "web.pftoken"))).toBe(true);
  });

  it("keeps the original error when the rollback fails too, and attaches the rollback's failure", async () => {
    h = harness();
    h.mac.failWhen((c) => c.args[0] === "-E", { exitCode: 1, stderr: "pfctl: ioctl: Device busy\n" });
    h.mac.failWhen((c) => c.args[2] === "-F", { exitCode: 1, stderr: "pfctl: /dev/pf: Permission denied\n" });
    const err = await codeOf(h.backend.create(privateNs({ portForwards: [FWD] })));
    expect(err.code).toBe("ERR_NS_COMMAND_FAILED");
    expect(err.message).toContain("pfctl -E");
    expect(err.details.rollbackFailure).toMatchObject({ code: "ERR_NS_TEARDOWN" });
    expect(existsSync(join(h.dir, "web.sb"))).toBe(false);
  });

  it("stops and rolls back when the signal aborts mid-create", async () => {
    h = harness();
    const ac = new AbortController();
    h.mac.failWhen((c) => {
      if (c.args[2] === "-f") ac.abort();
      return false;
    }, {});
    const err = await codeOf(h.backend.create(privateNs({ portForwards: [FWD] }), ac.signal));
    expect(err.code).toBe("ERR_NS_ABORTED");
    expect(h.mac.pf.anchors.size).toBe(0);
    expect(h.mac.pf.tokens.size).toBe(0);
  });
});
