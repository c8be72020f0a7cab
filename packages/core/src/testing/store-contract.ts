import { isNsError, type NsErrorCode } from "@ns/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NamespaceRecord } from "../backend.ts";
import type { Claim, Reservation, StateStore } from "../store/store.ts";

/** A plain record for store tests. */
export function sampleRecord(id: string, pid?: number): NamespaceRecord {
  const config = { id, mode: "full" as const, portForwards: [], dnsServers: [] };
  const r: NamespaceRecord = {
    info: {
      id,
      mode: "full",
      backend: "simulation",
      enforced: false,
      createdAt: "2026-01-01T00:00:00.000Z",
      portForwards: [],
      dnsServers: [],
    },
    state: "creating",
    backendData: {},
    ownerPid: 4242,
    resolved: { config, createdAt: "2026-01-01T00:00:00.000Z" },
  };
  if (pid !== undefined) r.info.pid = pid;
  return r;
}

async function codeOf(p: Promise<unknown>): Promise<NsErrorCode | "ok" | "untyped"> {
  try {
    await p;
    return "ok";
  } catch (e) {
    return isNsError(e) ? e.code : "untyped";
  }
}

const addr = (id: string, key: string): Claim => ({ kind: "addr", key, namespaceId: id });
const bridge = (id: string, name: string, cidr: string): Claim => ({
  kind: "bridge",
  key: name,
  value: cidr,
  namespaceId: id,
});
const reservation = (id: string, claims: Claim[], pid?: number) => (): Reservation => ({
  record: sampleRecord(id, pid),
  claims,
});

/** The behaviour every StateStore must share (memory and SQLite run it alike). */
export function describeStoreContract(name: string, factory: () => StateStore | Promise<StateStore>): void {
  describe(`state store contract: ${name}`, () => {
    let store: StateStore;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    it("reserves a record with its claims and hands back a copy", async () => {
      const r = await store.reserve("a", reservation("a", [addr("a", "10.0.0.2")], 77));
      expect(r).toEqual(sampleRecord("a", 77));
      r.info.id = "mutated";
      expect((await store.get("a"))?.info.id).toBe("a");
      expect(await store.claims()).toEqual([addr("a", "10.0.0.2")]);
    });

    it("refuses an existing id with ERR_NS_EXISTS without calling build", async () => {
      await store.reserve("a", reservation("a", []));
      let called = false;
      const again = store.reserve("a", () => {
        called = true;
        return reservation("a", [])();
      });
      expect(await codeOf(again)).toBe("ERR_NS_EXISTS");
      expect(called).toBe(false);
    });

    it("builds from every claim in force", async () => {
      await store.reserve("a", reservation("a", [addr("a", "10.0.0.2"), bridge("a", "br", "10.1.0.0/24")]));
      let seen: readonly Claim[] = [];
      await store.reserve("b", (claims) => {
        seen = claims;
        return reservation("b", [bridge("b", "br", "10.1.0.0/24")])();
      });
      expect(seen).toEqual([addr("a", "10.0.0.2"), bridge("a", "br", "10.1.0.0/24")]);
      expect(await store.claims()).toHaveLength(3);
    });

    it("inserts nothing when build throws, and keeps the error's code", async () => {
      const failing = store.reserve("a", () => {
        throw Object.assign(new Error("pool"), { code: "ERR_NS_POOL_EXHAUSTED" });
      });
      expect(await codeOf(failing)).toBe("ERR_NS_POOL_EXHAUSTED");
      expect(await store.get("a")).toBeUndefined();
      expect(await store.claims()).toEqual([]);
    });

    it("refuses an exclusive claim held by another namespace with ERR_NS_STATE", async () => {
      await store.reserve("a", reservation("a", [addr("a", "10.0.0.2")]));
      expect(await codeOf(store.reserve("b", reservation("b", [addr("b", "10.0.0.2")])))).toBe(
        "ERR_NS_STATE",
      );
      expect(await codeOf(store.reserve("c", reservation("c", [addr("a", "10.0.0.9")])))).toBe(
        "ERR_NS_STATE",
      );
      expect((await store.list()).map((r) => r.info.id)).toEqual(["a"]);
    });

    it("updates fields and keeps the others", async () => {
      await store.reserve("a", reservation("a", []));
      const info = { ...sampleRecord("a").info, pid: 99, handle: "h" };
      const r = await store.update("a", { state: "ready", backendData: { k: 1 }, info });
      expect(r).toMatchObject({ state: "ready", backendData: { k: 1 }, ownerPid: 4242 });
      expect(await store.get("a")).toEqual(r);
      expect((await store.findByPid(99)).map((x) => x.info.id)).toEqual(["a"]);
      await store.update("a", { ownerPid: 5, state: "destroying" });
      expect(await store.get("a")).toMatchObject({ ownerPid: 5, state: "destroying", backendData: { k: 1 } });
    });

    it("reports ERR_NS_NOT_FOUND when updating a missing record", async () => {
      expect(await codeOf(store.update("nope", { state: "ready" }))).toBe("ERR_NS_NOT_FOUND");
    });

    it("lists oldest first, also after updates, and finds records by pid", async () => {
      for (const id of ["c", "a", "b"]) await store.reserve(id, reservation(id, [], id === "b" ? 1 : 2));
      await store.update("c", { state: "ready" });
      expect((await store.list()).map((r) => r.info.id)).toEqual(["c", "a", "b"]);
      expect((await store.findByPid(2)).map((r) => r.info.id)).toEqual(["c", "a"]);
      expect(await store.findByPid(3)).toEqual([]);
      expect(await store.get("zzz")).toBeUndefined();
    });

    it("removes a record with its claims, and says whether it was there", async () => {
      await store.reserve("a", reservation("a", [addr("a", "10.0.0.2"), bridge("a", "br", "10.1.0.0/24")]));
      await store.reserve("b", reservation("b", [bridge("b", "br", "10.1.0.0/24")]));
      expect(await store.remove("a")).toBe(true);
      expect(await store.remove("a")).toBe(false);
      expect(await store.claims()).toEqual([bridge("b", "br", "10.1.0.0/24")]);
      await store.reserve("c", reservation("c", [addr("c", "10.0.0.2")]));
      expect((await store.list()).map((r) => r.info.id)).toEqual(["b", "c"]);
    });

    it("keeps its records apart from the caller's objects", async () => {
      const claims = [addr("a", "10.0.0.2")];
      const rec = sampleRecord("a");
      await store.reserve("a", () => ({ record: rec, claims }));
      rec.state = "ready";
      claims[0]!.key = "changed";
      (await store.list())[0]!.state = "destroying";
      expect((await store.get("a"))?.state).toBe("creating");
      expect((await store.claims())[0]!.key).toBe("10.0.0.2");
    });
  });
}
