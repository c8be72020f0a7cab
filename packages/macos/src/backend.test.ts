import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createNamespaceManager } from "@ns/core";
import { NamespaceConfig, type TeardownError } from "@ns/types";
import { afterEach, describe, expect, it } from "vitest";
import { codeOf, FWD, fullNs, type Harness, harness, privateNs, recordOf } from "./test-support/harness.ts";
import { checkPfRules } from "./test-support/pf-check.ts";
import { checkSbpl } from "./test-support/sbpl-check.ts";

let h: Harness;
afterEach(() => h?.cleanup());

describe("full mode", () => {
  it("writes a 0600 profile, runs no command, and enters through sandbox-exec -f", async () => {
    h = harness();
    const m = createNamespaceManager({ backend: h.backend });
    const info = await m.create(NamespaceConfig.fullIsolation(process.pid, { id: "box" }));
    const path = join(h.dir, "box.sb");
    expect(info).toMatchObject({ enforced: true, handle: path });
    expect(h.mac.runner.calls).toEqual([]);
    expect(checkSbpl(readFileSync(path, "utf8"))).toEqual([]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(h.dir).mode & 0o777).toBe(0o700);
    expect(await m.enter("box")).toEqual({
      prefix: ["sandbox-exec", "-f", path],
      env: { NS_NAMESPACE_ID: "box" },
      enforced: true,
    });
    await m.destroy("box");
    expect(existsSync(path)).toBe(false);
    expect(h.mac.runner.calls).toEqual([]);
  });
});

describe("private mode", () => {
  it("writes the profile, loads the anchor, takes a pf reference, and undoes all of it on destroy", async () => {
    h = harness();
    const ns = privateNs({ portForwards: [FWD] });
    const created = await h.backend.create(ns);
    const token = [...h.mac.pf.tokens][0]!;
    expect(created).toEqual({
      data: {
        mode: "private",
        uplink: "en0",
        nat: true,
        profile: join(h.dir, "web.sb"),
        anchor: "ns/web",
        pfToken: token,
        pfWasEnabled: false,
      },
      handle: join(h.dir, "web.sb"),
      uplink: "en0",
    });
    expect(h.mac.runner.lines()).toEqual([
      "route -n get default",
      "pfctl -s nat",
      `pfctl -a ns/web -f -\n${h.mac.pf.anchors.get("ns/web")!.trimEnd()}`,
      "pfctl -E",
    ]);
    expect(checkPfRules(h.mac.pf.anchors.get("ns/web")!)).toEqual([]);
    expect(readFileSync(join(h.dir, "web.pftoken"), "utf8")).toBe(`${token}\n`);
    const rec = recordOf(ns, created.data);
    expect(await h.backend.exists(rec)).toBe(true);

    h.mac.runner.reset();
    await h.backend.destroy(rec);
    expect(h.mac.runner.lines()).toEqual(["pfctl -a ns/web -F all", `pfctl -X ${token}`]);
    expect(h.mac.pf.anchors.size).toBe(0);
    expect(h.mac.pf.tokens.size).toBe(0);
    expect(existsSync(join(h.dir, "web.sb"))).toBe(false);
    expect(existsSync(join(h.dir, "web.pftoken"))).toBe(false);
    expect(await h.backend.exists(rec)).toBe(false);
  });

  it("destroys idempotently: a token pf no longer knows counts as released", async () => {
    h = harness();
    const ns = privateNs({ portForwards: [FWD] });
    const rec = recordOf(ns, (await h.backend.create(ns)).data);
    await h.backend.destroy(rec);
    await h.backend.destroy(rec);
    expect(h.mac.pf.tokens.size).toBe(0);
  });

  it("uses the config's uplink before the backend option, and the option before the default route", async () => {
    h = harness({}, { uplink: "en1" });
    const a = await h.backend.create(privateNs({ id: "a" }));
    const b = await h.backend.create(privateNs({ id: "b", uplink: "utun3" }));
    expect([a.uplink, b.uplink]).toEqual(["en1", "utun3"]);
    expect(h.mac.runner.lines()).not.toContain("route -n get default");
    expect(h.mac.pf.anchors.get("ns/b")).toContain("nat on utun3 inet from 10.200.0.0/30 to any -> (utun3)");
  });

  it("fails with ERR_NS_STATE when there is no uplink and no default route", async () => {
    h = harness({ defaultUplink: null });
    const err = await codeOf(h.backend.create(privateNs()));
    expect(err.code).toBe("ERR_NS_STATE");
    expect(err.hint).toMatch(/uplink/);
  });
});

describe("crash recovery and gc", () => {
  it("destroy of a record whose create crashed releases the token from the state-dir note", async () => {
    h = harness();
    const ns = privateNs({ portForwards: [FWD] });
    await h.backend.create(ns);
    await h.backend.destroy(recordOf(ns, {}));
    expect(h.mac.pf.tokens.size).toBe(0);
    expect(h.mac.pf.anchors.size).toBe(0);
  });

  it("lists profiles, token notes and anchors as owned, and removeOwned releases and removes them all", async () => {
    h = harness();
    await h.backend.create(privateNs({ portForwards: [FWD] }));
    await h.backend.create(fullNs("box"));
    const owned = await h.backend.listOwned();
    expect(owned).toEqual([
      { kind: "seatbelt-profile", name: "box.sb", namespaceId: "box" },
      { kind: "pf-token", name: "web.pftoken", namespaceId: "web" },
      { kind: "seatbelt-profile", name: "web.sb", namespaceId: "web" },
      { kind: "pf-anchor", name: "ns/web", namespaceId: "web" },
    ]);
    await h.backend.removeOwned(owned);
    expect(await h.backend.listOwned()).toEqual([]);
    expect(h.mac.pf.tokens.size).toBe(0);
  });

  it("gc through the manager removes leftovers no record owns", async () => {
    h = harness();
    await h.backend.create(privateNs({ id: "orphan", portForwards: [FWD] }));
    const m = createNamespaceManager({ backend: h.backend });
    const report = await m.gc();
    expect(report.errors).toEqual([]);
    expect(report.removedObjects).toEqual(
      expect.arrayContaining([
        "pf-anchor:ns/orphan",
        "pf-token:orphan.pftoken",
        "seatbelt-profile:orphan.sb",
      ]),
    );
    expect(h.mac.pf.tokens.size).toBe(0);
  });

  it("refuses to remove objects that are not ours", async () => {
    h = harness();
    const err = (await codeOf(
      h.backend.removeOwned([
        { kind: "pf-anchor", name: "com.apple/250.ApplicationFirewall" },
        { kind: "seatbelt-profile", name: "../etc/passwd" },
      ]),
    )) as TeardownError;
    expect(err.failures).toHaveLength(2);
    expect(h.mac.runner.calls).toEqual([]);
  });
});

describe("modes without objects and unsupported modes", () => {
  it("shared runs the process as is and runs no command", async () => {
    h = harness();
    const m = createNamespaceManager({ backend: h.backend });
    const s = await m.create(NamespaceConfig.shared(process.pid, { id: "host" }));
    expect(s.enforced).toBe(false);
    expect(await m.enter("host")).toEqual({ prefix: [], enforced: false });
    await m.destroy("host");
    expect(h.mac.runner.calls).toEqual([]);
  });

  it("refuses bridged with ERR_NS_UNSUPPORTED and a hint, also when called directly", async () => {
    h = harness();
    expect(h.backend.capabilities.modes.bridged).toMatchObject({ supported: false, enforced: false });
    const m = createNamespaceManager({ backend: h.backend });
    const viaManager = await codeOf(m.create(NamespaceConfig.bridged(process.pid, "br")));
    expect(viaManager.code).toBe("ERR_NS_UNSUPPORTED");
    expect(viaManager.hint).toMatch(/linux/);
    const direct = await codeOf(
      h.backend.create({ config: NamespaceConfig.bridged(1, "br", { id: "b" }), createdAt: "" }),
    );
    expect(direct.code).toBe("ERR_NS_UNSUPPORTED");
    expect(direct.hint).toBeTruthy();
  });

  it("declares private as not enforced and says why", () => {
    h = harness();
    const p = h.backend.capabilities.modes.private;
    expect(p).toMatchObject({ supported: true, enforced: false });
    expect(p.notes).toMatch(/cannot filter by remote address/);
    expect(p.notes).toMatch(/cannot match a pid/);
  });
});

describe("stats", () => {
  it("sums netstat counters of lo0 and the uplink for a private namespace", async () => {
    h = harness();
    const ns = privateNs();
    const rec = recordOf(ns, (await h.backend.create(ns)).data);
    const s = await h.backend.getStats(rec);
    expect(s.interfaces.map((i) => [i.name, i.state, i.rxBytes])).toEqual([
      ["lo0", "up", 34567890],
      ["en0", "up", 5421390112],
    ]);
    expect(s.rxBytes).toBe(34567890 + 5421390112);
    expect(s.txDropped).toBe(1 + 3);
    expect(h.mac.runner.lines()).toContain("netstat -I en0 -b -d -n");
  });

  it("falls back to pfctl -s info for the log interface, then to zeros marked unknown", async () => {
    h = harness({ enabledByOthers: true });
    h.mac.failWhen((c) => c.command === "netstat", {
      exitCode: 1,
      stderr: "netstat: sysctl: Operation not permitted",
    });
    const ns = privateNs({ uplink: "en0" });
    const rec = recordOf(ns, (await h.backend.create(ns)).data);
    const s = await h.backend.getStats(rec);
    expect(s.interfaces).toEqual([
      expect.objectContaining({ name: "lo0", state: "unknown", rxBytes: 0 }),
      expect.objectContaining({ name: "en0", state: "up", rxBytes: 124456, rxDropped: 3 }),
    ]);
    expect(h.mac.runner.lines().filter((l) => l === "pfctl -s info")).toHaveLength(1);
  });
});
