import { spawnSync } from "node:child_process";
import { isNsError, NamespaceConfig, NsError, type NsErrorCode } from "@ns/types";
import { describe, expect, it } from "vitest";
import { infoOf } from "./backend.ts";
import { createNamespaceManager } from "./manager.ts";
import { processStartTime } from "./process-info.ts";
import { createMemoryStore } from "./store/memory-store.ts";
import { createFakeBackend } from "./testing/fake-backend.ts";
import { sampleRecord } from "./testing/store-contract.ts";

async function codeOf(p: Promise<unknown>): Promise<NsErrorCode | "ok" | "untyped"> {
  try {
    await p;
    return "ok";
  } catch (e) {
    return isNsError(e) ? e.code : "untyped";
  }
}

const tick = () => new Promise((r) => setTimeout(r, 5));
const setup = (opts: Parameters<typeof createFakeBackend>[0] = {}) => {
  const backend = createFakeBackend(opts);
  const store = createMemoryStore();
  return { backend, store, manager: createNamespaceManager({ backend, store }) };
};

describe("NamespaceManager", () => {
  it("creates a ready record with what the backend resolved", async () => {
    const { manager, store } = setup({ result: { handle: "/run/netns/x", uplink: "up0", mtu: 1400 } });
    const info = await manager.create(NamespaceConfig.privateNetwork(process.pid, { id: "p1" }));
    expect(info).toMatchObject({ id: "p1", handle: "/run/netns/x", uplink: "up0", enforced: true });
    expect(info.interface).toMatchObject({ ipAddr: "10.200.0.2", gateway: "10.200.0.1", mtu: 1400 });
    const rec = (await store.get("p1"))!;
    expect(rec).toMatchObject({ state: "ready", backendData: { fake: "p1" }, ownerPid: process.pid });
    expect(rec.pidStartTime).toBe(processStartTime(process.pid));
    expect(rec.ownerStartTime).toBe(processStartTime(process.pid));
    expect(infoOf(rec)).toEqual(info);
    expect(await manager.exists("p1")).toBe(true);
    expect((await manager.getStats("p1")).id).toBe("p1");
    expect((await manager.enter("p1")).prefix).toEqual(["fake-enter", "p1"]);
    expect((await manager.getByPid(process.pid)).id).toBe("p1");
  });

  it("serialises operations on one id and runs different ids concurrently", async () => {
    const { manager, backend } = setup();
    const gate = backend.hold("create", "a");
    const createA = manager.create(NamespaceConfig.fullIsolation(undefined, { id: "a" }));
    await gate.entered;
    const destroyA = manager.destroy("a");
    // b goes through from start to end while a is held.
    await manager.create(NamespaceConfig.fullIsolation(undefined, { id: "b" }));
    await tick();
    expect(backend.calls).toEqual(["create a", "create b"]);
    gate.release();
    await createA;
    await destroyA;
    expect(backend.calls).toEqual(["create a", "create b", "destroy a"]);
    expect((await manager.list()).map((n) => n.id)).toEqual(["b"]);
  });

  it("releases the reservation when the backend fails to create", async () => {
    const { manager, backend, store } = setup();
    backend.failNext("create", new NsError("ERR_NS_PERMISSION", "no"));
    const fwd = { hostPort: 8080, nsPort: 80, protocol: "tcp" as const };
    const cfg = NamespaceConfig.privateNetwork(undefined, { id: "x", portForwards: [fwd] });
    expect(await codeOf(manager.create(cfg))).toBe("ERR_NS_PERMISSION");
    expect(await store.claims()).toEqual([]);
    expect(await manager.exists("x")).toBe(false);
    backend.failNext("create", new Error("plain"));
    expect(await codeOf(manager.create(cfg))).toBe("ERR_NS_INTERNAL");
    const again = await manager.create(cfg);
    expect(again.interface?.ipAddr).toBe("10.200.0.2");
  });

  it("destroys what it created when the record cannot be completed", async () => {
    const { manager, backend, store } = setup();
    const gate = backend.hold("create", "gone");
    const creating = manager.create(NamespaceConfig.fullIsolation(undefined, { id: "gone" }));
    await gate.entered;
    await store.remove("gone");
    gate.release();
    expect(await codeOf(creating)).toBe("ERR_NS_NOT_FOUND");
    expect(backend.calls).toEqual(["create gone", "destroy gone"]);
    expect(backend.live.size).toBe(0);
  });

  it("keeps a record in destroying when the backend fails, and retries in gc", async () => {
    const { manager, backend, store } = setup();
    await manager.create(NamespaceConfig.privateNetwork(undefined, { id: "d" }));
    backend.failNext("destroy", new NsError("ERR_NS_COMMAND_FAILED", "ip failed"));
    expect(await codeOf(manager.destroy("d"))).toBe("ERR_NS_COMMAND_FAILED");
    expect((await store.get("d"))?.state).toBe("destroying");
    expect((await store.claims()).length).toBeGreaterThan(0);
    const report = await manager.gc();
    expect(report.removedRecords).toEqual(["d"]);
    expect(report.reasons?.d).toMatch(/earlier failure/);
    expect(await store.claims()).toEqual([]);
  });

  it("refuses to destroy a namespace another live process is creating", async () => {
    const { manager, store } = setup();
    const r = sampleRecord("busy");
    r.ownerPid = process.ppid;
    await store.reserve("busy", () => ({ record: r, claims: [] }));
    expect(await codeOf(manager.destroy("busy"))).toBe("ERR_NS_STATE");
    expect(await manager.exists("busy")).toBe(true);
  });

  it("refuses modes and forwards the backend does not support", async () => {
    const { manager } = setup({
      capabilities: {
        modes: {
          full: { supported: true, enforced: true },
          private: { supported: true, enforced: true },
          shared: { supported: true, enforced: true },
          bridged: { supported: false, enforced: false, notes: "no bridges here" },
        },
        portForwards: false,
      },
    });
    expect(await codeOf(manager.create(NamespaceConfig.bridged(undefined, "br")))).toBe("ERR_NS_UNSUPPORTED");
    const fwd = { hostPort: 8080, nsPort: 80, protocol: "tcp" as const };
    const cfg = NamespaceConfig.privateNetwork(undefined, { portForwards: [fwd] });
    expect(await codeOf(manager.create(cfg))).toBe("ERR_NS_UNSUPPORTED");
    expect(await codeOf(manager.create({ mode: "nope" } as never))).toBe("ERR_NS_INVALID_CONFIG");
  });

  it("reports unknown ids and pids as ERR_NS_NOT_FOUND", async () => {
    const { manager } = setup();
    for (const p of [manager.getInfo("x"), manager.getStats("x"), manager.enter("x"), manager.destroy("x")])
      expect(await codeOf(p)).toBe("ERR_NS_NOT_FOUND");
    expect(await codeOf(manager.getByPid(1))).toBe("ERR_NS_NOT_FOUND");
  });

  it("does not take a namespace of an earlier holder of a pid for the current one", async () => {
    const { manager, store } = setup();
    const old = sampleRecord("old", process.pid);
    old.pidStartTime = "1";
    await store.reserve("old", () => ({ record: old, claims: [] }));
    expect(await codeOf(manager.getByPid(process.pid))).toBe("ERR_NS_NOT_FOUND");
    await manager.create(NamespaceConfig.fullIsolation(process.pid, { id: "new" }));
    expect((await manager.getByPid(process.pid)).id).toBe("new");
  });

  it("closes the store even when the backend fails to close", async () => {
    const backend = createFakeBackend();
    backend.close = async () => {
      throw new Error("stuck");
    };
    let closed = false;
    const store = {
      ...createMemoryStore(),
      close: async () => {
        closed = true;
      },
    };
    const manager = createNamespaceManager({ backend, store });
    await manager.backend();
    await expect(manager.close()).rejects.toThrow("stuck");
    expect(closed).toBe(true);
  });
});

describe("NamespaceManager gc", () => {
  const deadPid = () => spawnSync("true").pid!;

  it("removes records of crashed creators, exited pids and vanished objects, and keeps live ones", async () => {
    const { manager, backend, store } = setup();
    const crashed = sampleRecord("crashed");
    crashed.ownerPid = deadPid();
    const other = sampleRecord("other-creating");
    other.ownerPid = process.ppid;
    const exited = { ...sampleRecord("exited", deadPid()), state: "ready" as const };
    const reused = { ...sampleRecord("reused", process.pid), state: "ready" as const, pidStartTime: "1" };
    for (const r of [crashed, other, exited, reused])
      await store.reserve(r.info.id, () => ({ record: r, claims: [] }));
    await manager.create(NamespaceConfig.fullIsolation(process.pid, { id: "alive" }));
    await manager.create(NamespaceConfig.fullIsolation(undefined, { id: "vanished" }));
    await manager.create(NamespaceConfig.fullIsolation(undefined, { id: "unknown" }));
    backend.live.delete("vanished");
    backend.failNext("exists", new Error("cannot tell"), "unknown");
    const report = await manager.gc();
    expect(report.removedRecords.sort()).toEqual(["crashed", "exited", "reused", "vanished"]);
    expect(report.reasons).toMatchObject({
      crashed: expect.stringMatching(/died/),
      exited: expect.stringMatching(/exited/),
      vanished: expect.stringMatching(/vanished/),
    });
    expect(report.errors).toEqual([]);
    expect((await manager.list()).map((n) => n.id)).toEqual(["other-creating", "alive", "unknown"]);
  });

  it("removes objects no live record owns, but keeps a bridge that members use", async () => {
    const { manager, backend } = setup();
    await manager.create(NamespaceConfig.bridged(undefined, "used", { id: "member" }));
    backend.live.add("ghost");
    backend.extraObjects = [
      { kind: "bridge", name: "br-used", bridge: "used" },
      { kind: "bridge", name: "br-old", bridge: "old" },
      { kind: "table", name: "stray" },
    ];
    const report = await manager.gc();
    expect(report.removedObjects).toEqual(["fake:fake-ghost", "bridge:br-old", "table:stray"]);
    expect(backend.removed.map((o) => o.name)).toEqual(["fake-ghost", "br-old", "stray"]);
    expect(report.removedRecords).toEqual([]);
  });

  it("goes on past failures and reports each", async () => {
    const { manager, backend, store } = setup();
    const crashed = sampleRecord("crashed");
    crashed.ownerPid = deadPid();
    await store.reserve("crashed", () => ({ record: crashed, claims: [] }));
    backend.live.add("ghost");
    backend.failNext("destroy", new NsError("ERR_NS_COMMAND_FAILED", "destroy failed"));
    backend.failNext("removeOwned", new Error("remove failed"));
    const report = await manager.gc();
    expect(report.errors.map((e) => e.code)).toEqual(["ERR_NS_COMMAND_FAILED", "ERR_NS_INTERNAL"]);
    expect(report.removedObjects).toEqual(["fake:fake-ghost"]);
    expect((await store.get("crashed"))?.state).toBe("destroying");
    backend.failNext("listOwned", new Error("list failed"));
    const second = await manager.gc();
    expect(second.removedRecords).toEqual(["crashed"]);
    expect(second.errors.map((e) => e.message)).toEqual(["list failed"]);
  });

  it("waits for a create in progress and leaves its record alone", async () => {
    const { manager, backend } = setup();
    const gate = backend.hold("create", "slow");
    const creating = manager.create(NamespaceConfig.fullIsolation(undefined, { id: "slow" }));
    await gate.entered;
    const gc = manager.gc();
    await tick();
    gate.release();
    await creating;
    expect((await gc).removedRecords).toEqual([]);
    expect(await manager.exists("slow")).toBe(true);
  });
});

/** A simulation backend with a two-phase destroy whose second phase the test releases (or fails). */
async function twoPhaseBackend() {
  const { createSimulationBackend } = await import("../../simulation/src/backend.ts");
  const sim = createSimulationBackend();
  const ctl = { release: () => {}, fail: false, destroys: 0 };
  const backend = {
    ...sim,
    async destroy(record: Parameters<typeof sim.destroy>[0]) {
      ctl.destroys++;
      await sim.destroy(record);
    },
    async beginDestroy(record: Parameters<typeof sim.destroy>[0]) {
      await sim.destroy(record);
      const settled = new Promise<void>((resolve, reject) => {
        ctl.release = () => (ctl.fail ? reject(new Error("veth stuck")) : resolve());
      });
      return { settled };
    },
  };
  return { backend, ctl };
}

describe("background destroy", () => {
  it("keeps the record and its claims until the backend settles, and reports a failed settle", async () => {
    const { backend, ctl } = await twoPhaseBackend();
    const manager = createNamespaceManager({ backend });
    const a = await manager.create(NamespaceConfig.privateNetwork(undefined, { id: "bg-a" }));
    await manager.destroy(a.id, { background: true });
    expect((await manager.store.get(a.id))?.state).toBe("destroying");
    expect((await manager.store.claims()).some((c) => c.namespaceId === a.id)).toBe(true);
    ctl.release();
    await manager.settle();
    expect(await manager.exists(a.id)).toBe(false);

    const b = await manager.create(NamespaceConfig.privateNetwork(undefined, { id: "bg-b" }));
    ctl.fail = true;
    await manager.destroy(b.id, { background: true });
    ctl.release();
    await expect(manager.settle()).rejects.toMatchObject({ code: "ERR_NS_TEARDOWN" });
    expect((await manager.store.get(b.id))?.state).toBe("destroying");
    await manager.close();
  });
});

describe("background destroy and the rest of the manager", () => {
  it("lets gc, a re-create of the same id and a second destroy wait for the teardown in flight", async () => {
    const { backend, ctl } = await twoPhaseBackend();
    const manager = createNamespaceManager({ backend });
    const fwd = [{ hostPort: 8080, nsPort: 80, protocol: "tcp" as const }];
    await manager.create(NamespaceConfig.privateNetwork(undefined, { id: "same", portForwards: fwd }));
    await manager.destroy("same", { background: true });
    // gc sees a `destroying` record of this process: it waits for the teardown instead of running another.
    const gc = manager.gc();
    const again = manager.create(
      NamespaceConfig.privateNetwork(undefined, { id: "same", portForwards: fwd }),
    );
    ctl.release();
    expect((await gc).errors).toEqual([]);
    expect((await again).id).toBe("same");
    expect(ctl.destroys).toBe(0);

    ctl.fail = true;
    await manager.destroy("same", { background: true });
    const retry = manager.destroy("same");
    ctl.release();
    await retry; // the foreground destroy retried what the background one left
    expect(ctl.destroys).toBe(1);
    expect(await manager.exists("same")).toBe(false);
    await manager.close();
  });
});

describe("NamespaceManager.new", () => {
  it("is the original design's name for createNamespaceManager", async () => {
    const { NamespaceManager } = await import("./manager.ts");
    const { createSimulationBackend } = await import("../../simulation/src/backend.ts");
    const m = NamespaceManager.new({ backend: createSimulationBackend() });
    const info = await m.create(NamespaceConfig.fullIsolation(process.pid));
    expect((await m.getByPid(process.pid)).id).toBe(info.id);
    await m.close();
  });
});
