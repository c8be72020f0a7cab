import { isNsError, NamespaceConfig, type NsErrorCode } from "@ns/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NetworkBackend } from "../backend.ts";
import type { IpamOptions } from "../ipam.ts";
import { createNamespaceManager, type NamespaceManager } from "../manager.ts";

/** How to run the shared conformance suite against one backend. */
export interface ConformanceOptions {
  /** Label in test names. */
  name: string;
  /** A fresh backend for each test. */
  createBackend: () => NetworkBackend | Promise<NetworkBackend>;
  /** Runs after each test (after every namespace was destroyed). */
  afterEachTest?: () => Promise<void>;
  /** Uplink for private namespaces (kernel backends: the test's upstream). */
  uplink?: string;
  /** Pools, e.g. to keep kernel tests inside their own ranges. */
  ipam?: Partial<IpamOptions>;
}

async function expectCode(p: Promise<unknown>, code: NsErrorCode): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!isNsError(e, code)) throw new Error(`expected ${code}, got ${String((e as Error)?.stack ?? e)}`);
    return;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

/** The suite every backend must pass (the unstorage driver-test pattern); skips only modes the backend declares unsupported. */
export function describeBackendConformance(opts: ConformanceOptions): void {
  describe(`backend conformance: ${opts.name}`, () => {
    let backend: NetworkBackend;
    let manager: NamespaceManager;
    const pid = process.pid;
    const priv = (o: Parameters<typeof NamespaceConfig.privateNetwork>[1] = {}) =>
      NamespaceConfig.privateNetwork(pid, opts.uplink ? { uplink: opts.uplink, ...o } : o);

    beforeEach(async () => {
      backend = await opts.createBackend();
      manager = createNamespaceManager({ backend, ipam: opts.ipam });
    });
    afterEach(async () => {
      for (const ns of await manager.list()) await manager.destroy(ns.id).catch(() => undefined);
      await manager.close();
      await opts.afterEachTest?.();
    });

    const supports = (m: "full" | "private" | "shared" | "bridged") =>
      backend.capabilities.modes[m].supported;

    it("declares a capability for every mode", async () => {
      const b = await opts.createBackend();
      for (const m of ["full", "private", "shared", "bridged"] as const) {
        expect(typeof b.capabilities.modes[m].supported).toBe("boolean");
        expect(typeof b.capabilities.modes[m].enforced).toBe("boolean");
      }
      await b.close?.();
    });

    it("creates, finds and destroys a fully isolated namespace", async () => {
      if (!supports("full")) return;
      const config = NamespaceConfig.fullIsolation(pid);
      const info = await manager.create(config);
      expect(info).toMatchObject({ id: config.id, mode: "full", backend: backend.name, pid });
      expect(info.enforced).toBe(backend.capabilities.modes.full.enforced);
      expect(await manager.exists(config.id)).toBe(true);
      expect((await manager.getInfo(config.id)).id).toBe(config.id);
      expect((await manager.getByPid(pid)).id).toBe(config.id);
      expect((await manager.list()).map((n) => n.id)).toEqual([config.id]);
      const rec = (await manager.store.get(config.id))!;
      expect(await backend.exists(rec)).toBe(true);
      const stats = await manager.getStats(config.id);
      expect(stats.id).toBe(config.id);
      expect(stats.rxBytes).toBeGreaterThanOrEqual(0);
      expect(Array.isArray(stats.interfaces)).toBe(true);
      const spec = await manager.enter(config.id);
      expect(Array.isArray(spec.prefix)).toBe(true);
      await manager.destroy(config.id);
      expect(await manager.exists(config.id)).toBe(false);
      expect(await backend.exists(rec)).toBe(false);
      expect(await manager.list()).toEqual([]);
    });

    it("refuses a second namespace with the same id", async () => {
      if (!supports("full")) return;
      const config = NamespaceConfig.fullIsolation(pid);
      await manager.create(config);
      await expectCode(manager.create(config), "ERR_NS_EXISTS");
    });

    it("gives private namespaces distinct addresses with a gateway", async () => {
      if (!supports("private")) return;
      const a = await manager.create(priv());
      const b = await manager.create(priv());
      expect(a.interface?.ipAddr).toBeTruthy();
      expect(a.interface?.gateway).toBeTruthy();
      expect(a.interface?.ipAddr).not.toBe(b.interface?.ipAddr);
      expect(a.enforced).toBe(backend.capabilities.modes.private.enforced);
    });

    it("refuses a custom address already in use", async () => {
      if (!supports("private")) return;
      const a = await manager.create(priv());
      const iface = a.interface!;
      await expectCode(manager.create(priv({ interface: { ...iface } })), "ERR_NS_ADDRESS_IN_USE");
    });

    it("never lets two namespaces claim one host port, and frees it on destroy", async () => {
      if (!supports("private") || !backend.capabilities.portForwards) return;
      const fwd = { hostPort: 41234, nsPort: 80, protocol: "tcp" as const };
      const a = await manager.create(priv({ portForwards: [fwd] }));
      await expectCode(manager.create(priv({ portForwards: [fwd] })), "ERR_NS_PORT_IN_USE");
      await manager.destroy(a.id);
      const b = await manager.create(priv({ portForwards: [fwd] }));
      expect(b.portForwards).toEqual([fwd]);
    });

    it("puts bridged namespaces of one bridge on one subnet, other bridges elsewhere", async () => {
      if (!supports("bridged")) return;
      const x1 = await manager.create(NamespaceConfig.bridged(pid, "conf-x"));
      const x2 = await manager.create(NamespaceConfig.bridged(pid, "conf-x"));
      const y1 = await manager.create(NamespaceConfig.bridged(pid, "conf-y"));
      const net = (i: typeof x1) => i.interface!.ipAddr.split(".").slice(0, 3).join(".");
      expect(net(x1)).toBe(net(x2));
      expect(net(x1)).not.toBe(net(y1));
      expect(x1.interface!.ipAddr).not.toBe(x2.interface!.ipAddr);
    });

    it("creates a shared namespace without new addresses", async () => {
      if (!supports("shared")) return;
      const s = await manager.create(NamespaceConfig.shared(pid));
      expect(s.mode).toBe("shared");
      expect(s.interface).toBeUndefined();
      expect((await manager.enter(s.id)).prefix).toEqual([]);
    });

    it("refuses unsupported modes with ERR_NS_UNSUPPORTED", async () => {
      for (const m of ["full", "private", "shared", "bridged"] as const) {
        if (supports(m)) continue;
        const cfg =
          m === "bridged"
            ? NamespaceConfig.bridged(pid, "conf-u")
            : { ...NamespaceConfig.fullIsolation(pid), mode: m };
        await expectCode(manager.create(cfg), "ERR_NS_UNSUPPORTED");
      }
    });

    it("rejects an invalid config with every problem named, and creates nothing", async () => {
      const before = await backend.listOwned();
      const bad = {
        ...NamespaceConfig.fullIsolation(pid),
        portForwards: [{ hostPort: 0, nsPort: 70000, protocol: "sctp" }],
      };
      try {
        await manager.create(bad as never);
        throw new Error("accepted an invalid config");
      } catch (e) {
        expect(isNsError(e, "ERR_NS_INVALID_CONFIG")).toBe(true);
        const fields = ((e as { issues: { field: string }[] }).issues ?? []).map((i) => i.field);
        expect(fields).toEqual(
          expect.arrayContaining([
            "portForwards.0.hostPort",
            "portForwards.0.nsPort",
            "portForwards.0.protocol",
            "portForwards",
          ]),
        );
      }
      expect(await manager.list()).toEqual([]);
      expect(await backend.listOwned()).toEqual(before);
    });

    it("reports ERR_NS_NOT_FOUND for unknown ids and pids", async () => {
      await expectCode(manager.getInfo("no-such-ns"), "ERR_NS_NOT_FOUND");
      await expectCode(manager.destroy("no-such-ns"), "ERR_NS_NOT_FOUND");
      await expectCode(manager.getByPid(4194304), "ERR_NS_NOT_FOUND");
    });

    it("destroys idempotently at the backend level", async () => {
      if (!supports("full")) return;
      const info = await manager.create(NamespaceConfig.fullIsolation(pid));
      const rec = (await manager.store.get(info.id))!;
      await manager.destroy(info.id);
      await backend.destroy(rec);
      expect(await backend.exists(rec)).toBe(false);
    });

    it("leaves nothing of its own behind after destroy", async () => {
      const before = await backend.listOwned();
      const made = [];
      if (supports("full")) made.push(await manager.create(NamespaceConfig.fullIsolation(pid)));
      if (supports("private")) made.push(await manager.create(priv()));
      if (supports("bridged")) made.push(await manager.create(NamespaceConfig.bridged(pid, "conf-z")));
      for (const m of made) await manager.destroy(m.id);
      expect(await backend.listOwned()).toEqual(before);
      const report = await manager.gc();
      expect(report.errors).toEqual([]);
    });

    it("destroys in the background: returns early, hands the port out again only once the kernel let go", async () => {
      if (!supports("private") || !backend.capabilities.portForwards) return;
      const fwd = { hostPort: 41236, nsPort: 80, protocol: "tcp" as const };
      const a = await manager.create(priv({ portForwards: [fwd] }));
      const rec = (await manager.store.get(a.id))!;
      await manager.destroy(a.id, { background: true });
      // The forward is still claimed until the teardown settles; a create of it waits for that, then succeeds.
      const b = await manager.create(priv({ portForwards: [fwd] }));
      expect(b.portForwards).toEqual([fwd]);
      await manager.settle();
      expect(await manager.exists(a.id)).toBe(false);
      expect(await backend.exists(rec)).toBe(false);
    });

    it("runs concurrent creates without handing out an address twice", async () => {
      if (!supports("private")) return;
      const infos = await Promise.all(Array.from({ length: 12 }, () => manager.create(priv())));
      const addrs = new Set(infos.map((i) => i.interface!.ipAddr));
      expect(addrs.size).toBe(12);
    });
  });
}
