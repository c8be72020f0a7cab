import type { NamespaceStats } from "@ns/types";
import type {
  BackendCapabilities,
  CreateResult,
  NamespaceRecord,
  NetworkBackend,
  OwnedObject,
  ResolvedNamespace,
} from "../backend.ts";

/** Verbs of a fake backend that tests can hold or fail. */
export type FakeVerb = "create" | "destroy" | "exists" | "listOwned" | "removeOwned";

/** A held call: resolves `entered` when the call starts, waits for `release` or `fail`. */
export interface Gate {
  /** Resolves once the held call has started. */
  entered: Promise<void>;
  /** Lets the held call go on. */
  release(): void;
  /** Makes the held call throw. */
  fail(error: unknown): void;
}

/** An in-memory backend whose calls tests can observe, hold and fail. */
export interface FakeBackend extends NetworkBackend {
  /** Every call as `verb id`, in order of entry. */
  readonly calls: string[];
  /** Ids whose objects exist. */
  readonly live: Set<string>;
  /** Objects listOwned reports besides the live namespaces. */
  extraObjects: OwnedObject[];
  /** Objects passed to removeOwned. */
  readonly removed: OwnedObject[];
  /** Holds the next call of `verb` (for `id` when given) until the gate is released. */
  hold(verb: FakeVerb, id?: string): Gate;
  /** Makes the next call of `verb` (for `id` when given) throw `error`. */
  failNext(verb: FakeVerb, error: unknown, id?: string): void;
  /** Whether close() was called. */
  closed: boolean;
}

/** Options of createFakeBackend. */
export interface FakeBackendOptions {
  /** Capabilities to override. */
  capabilities?: Partial<BackendCapabilities>;
  /** What create returns besides `data` (handle, uplink, mtu). */
  result?: Omit<CreateResult, "data">;
}

const all = { supported: true, enforced: true };

/** Creates a fake backend for manager and gc tests. */
export function createFakeBackend(options: FakeBackendOptions = {}): FakeBackend {
  const calls: string[] = [];
  const live = new Set<string>();
  const removed: OwnedObject[] = [];
  const pending: { verb: FakeVerb; id?: string; run: () => Promise<void> }[] = [];
  const take = async (verb: FakeVerb, id: string) => {
    calls.push(`${verb} ${id}`.trimEnd());
    const i = pending.findIndex((p) => p.verb === verb && (p.id === undefined || p.id === id));
    if (i < 0) return;
    const [p] = pending.splice(i, 1);
    await p!.run();
  };
  const fake: FakeBackend = {
    name: "simulation",
    capabilities: {
      modes: { full: all, private: all, shared: all, bridged: all },
      portForwards: true,
      stats: "model",
      gc: true,
      ...options.capabilities,
    },
    calls,
    live,
    removed,
    extraObjects: [],
    closed: false,
    hold(verb, id) {
      let entered!: () => void;
      let release!: () => void;
      let fail!: (e: unknown) => void;
      const go = new Promise<void>((res, rej) => {
        release = res;
        fail = rej;
      });
      const gate: Gate = {
        entered: new Promise<void>((res) => {
          entered = res;
        }),
        release: () => release(),
        fail: (e) => fail(e),
      };
      pending.push({
        verb,
        id,
        run: async () => {
          entered();
          await go;
        },
      });
      return gate;
    },
    failNext(verb, error, id) {
      pending.push({
        verb,
        id,
        run: async () => {
          throw error;
        },
      });
    },
    async create(ns: ResolvedNamespace) {
      await take("create", ns.config.id);
      live.add(ns.config.id);
      return { data: { fake: ns.config.id }, ...options.result };
    },
    async destroy(record: NamespaceRecord) {
      await take("destroy", record.info.id);
      live.delete(record.info.id);
    },
    async exists(record: NamespaceRecord) {
      await take("exists", record.info.id);
      return live.has(record.info.id);
    },
    async getStats(record: NamespaceRecord): Promise<NamespaceStats> {
      const zero = { rxBytes: 0, txBytes: 0, rxPackets: 0, txPackets: 0, rxDropped: 0, txDropped: 0 };
      return { id: record.info.id, createdAt: record.info.createdAt, ...zero, interfaces: [] };
    },
    enter(record: NamespaceRecord) {
      const shared = record.info.mode === "shared";
      return { prefix: shared ? [] : ["fake-enter", record.info.id], enforced: !shared };
    },
    async listOwned() {
      await take("listOwned", "");
      const mine = [...live].map((id) => ({ kind: "fake", name: `fake-${id}`, namespaceId: id }));
      return [...mine, ...fake.extraObjects];
    },
    async removeOwned(objects: OwnedObject[]) {
      removed.push(...objects);
      for (const o of objects) if (o.namespaceId) live.delete(o.namespaceId);
      await take("removeOwned", "");
    },
    async close() {
      fake.closed = true;
    },
  };
  return fake;
}
