import { randomBytes } from "node:crypto";
import {
  type BackendName,
  isNsError,
  type NamespaceConfig,
  type NamespaceInfo,
  type NamespaceStats,
  NsError,
  parseConfig,
  toNsError,
} from "@ns/types";
import type {
  BackendCapabilities,
  BackendFactoryOptions,
  EnterSpec,
  NamespaceRecord,
  NetworkBackend,
} from "./backend.ts";
import { createBackgroundDestroys } from "./background-destroys.ts";
import { type BackendChoice, chooseBackend, type HostFacts, loadBackend } from "./detect.ts";
import { collectGarbage, type GcReport } from "./gc.ts";
import { allocate, type IpamOptions } from "./ipam.ts";
import { createKeyedLock } from "./keyed-lock.ts";
import { processAlive, processOwnerId, processStartTime } from "./process-info.ts";
import { createMemoryStore, notFound } from "./store/memory-store.ts";
import type { RecordPatch, StateStore } from "./store/store.ts";

export type { GcReport } from "./gc.ts";

// One lock per process, not per manager: managers sharing a store in one process must not race on an id, and
// gc relies on "not locked here" meaning "no one in this process is working on it".
const withLock = createKeyedLock();
// Recorded with ownerPid so that a crashed owner whose pid was reused is still seen as dead.
const SELF_START = processStartTime(process.pid);
const owner = (): RecordPatch =>
  SELF_START === undefined
    ? { ownerPid: process.pid }
    : { ownerPid: process.pid, ownerStartTime: SELF_START };

/** Options of createNamespaceManager. */
export interface NamespaceManagerOptions {
  /** A backend instance, a backend name, or "auto" (default; NS_BACKEND overrides auto). */
  backend?: NetworkBackend | BackendName | "auto";
  /** Options passed to the backend factory when loading by name. */
  backendOptions?: BackendFactoryOptions;
  /** Where records and claims live (default: in memory, this process only). */
  store?: StateStore;
  /** Address pools. */
  ipam?: Partial<IpamOptions>;
  /** Environment consulted for NS_BACKEND (default process.env). */
  env?: Record<string, string | undefined>;
  /** Facts backend detection looks at (default: read from this machine); for tests and embedders. */
  hostFacts?: HostFacts;
  /** Imports a backend package by name (default: dynamic import); for tests and bundlers. */
  importBackend?: (specifier: string) => Promise<unknown>;
}

/** The backend in use, why it was chosen, and what it enforces. */
export interface BackendReport {
  name: BackendName;
  reason: string;
  capabilities: BackendCapabilities;
  /** Set when the backend was asked for rather than detected: by the option or by NS_BACKEND. */
  requestedBy?: "option" | "env";
}

/** Unified entry point: validates, allocates, serialises per namespace and drives the backend. */
export interface NamespaceManager {
  /** Creates a namespace; every problem with the config is reported at once as ERR_NS_INVALID_CONFIG. */
  create(config: NamespaceConfig): Promise<NamespaceInfo>;
  /**
   * Destroys a namespace and releases its addresses and ports once the OS objects are gone. With
   * `background: true` it returns as soon as nothing can reach the namespace any more; the rest of the
   * teardown goes on, its record (and its addresses and ports) stays until the kernel is done, `settle()`
   * waits for it and reports failures, and gc retries what failed.
   */
  destroy(id: string, options?: { background?: boolean }): Promise<void>;
  /** Waits for background destroys of this manager; throws TeardownError listing every one that failed. */
  settle(): Promise<void>;
  /** Whether a namespace with this id is recorded. */
  exists(id: string): Promise<boolean>;
  /** Info of one namespace (ERR_NS_NOT_FOUND if unknown). */
  getInfo(id: string): Promise<NamespaceInfo>;
  /** Counters of one namespace. */
  getStats(id: string): Promise<NamespaceStats>;
  /** Every namespace. */
  list(): Promise<NamespaceInfo[]>;
  /** The namespace bound to a pid (ERR_NS_NOT_FOUND if none). */
  getByPid(pid: number): Promise<NamespaceInfo>;
  /** How to run a process inside a namespace. */
  enter(id: string): Promise<EnterSpec>;
  /** Removes leftovers: records of crashed creates, of exited pids, of vanished OS objects, and OS objects with no record. */
  gc(): Promise<GcReport>;
  /** The backend in use and why. */
  backendInfo(): Promise<BackendReport>;
  /** The loaded backend. */
  backend(): Promise<NetworkBackend>;
  /** The state store. */
  readonly store: StateStore;
  /** Closes the store and the backend. */
  close(): Promise<void>;
}

/** Creates a manager; the backend is detected and loaded lazily on first use. */
export function createNamespaceManager(options: NamespaceManagerOptions = {}): NamespaceManager {
  const store = options.store ?? createMemoryStore();
  let loaded: Promise<{ backend: NetworkBackend; choice: BackendChoice }> | undefined;

  const load = () => {
    loaded ??= (async () => {
      const b = options.backend;
      if (b !== undefined && typeof b === "object")
        return {
          backend: b,
          choice: { name: b.name, reason: "backend instance given by the caller", explicit: true },
        };
      const choice = chooseBackend(b, options.env ?? process.env, options.hostFacts);
      const importer = options.importBackend;
      // Objects belong to the store that records them, so gc of one store never collects another's.
      const backendOptions = { ...options.backendOptions };
      // A memory store is this manager's alone: two in one process must not collect each other's namespaces.
      backendOptions.owner ??= store.identity ?? `${processOwnerId()}#${randomBytes(4).toString("hex")}`;
      try {
        return { backend: await loadBackend(choice.name, backendOptions, importer), choice };
      } catch (e) {
        // Only a missing package falls back; a backend that is installed but broken must say so.
        if (choice.explicit || choice.name === "simulation" || !isNsError(e, "ERR_NS_BACKEND_MISSING"))
          throw e;
        const fallback = await loadBackend("simulation", backendOptions, importer);
        const why = `${choice.reason}, but ${toNsError(e).message}; falling back to simulation (not enforced)`;
        return { backend: fallback, choice: { name: "simulation" as const, reason: why, explicit: false } };
      }
    })();
    loaded.catch(() => {
      loaded = undefined;
    });
    return loaded;
  };
  const backend = async () => (await load()).backend;

  const record = async (id: string) => {
    const r = await store.get(id);
    if (!r) throw notFound(id);
    return r;
  };

  // The record stays `destroying` when the backend fails, so gc (or a later destroy) retries the teardown.
  const teardown = async (b: NetworkBackend, r: NamespaceRecord) => {
    const marked = await store.update(r.info.id, { state: "destroying", ...owner() });
    await b.destroy(marked);
    await store.remove(r.info.id);
  };

  const background = createBackgroundDestroys(store, owner, teardown);

  // Best effort after a failed create: the caller gets the original error; what is left is gc's to remove.
  const rollback = async (b: NetworkBackend, r: NamespaceRecord | undefined, id: string) => {
    if (r) await b.destroy(r).catch(() => undefined);
    await store.remove(id).catch(() => undefined);
  };

  const manager: NamespaceManager = {
    store,
    backend,
    async create(input) {
      const config = parseConfig(input);
      const b = await backend();
      const cap = b.capabilities.modes[config.mode];
      if (!cap.supported)
        throw new NsError(
          "ERR_NS_UNSUPPORTED",
          `the ${b.name} backend does not support ${config.mode} mode`,
          {
            hint: cap.notes ?? "use another mode or another backend (`ns doctor` lists what each supports)",
            details: { backend: b.name, mode: config.mode },
          },
        );
      if (config.portForwards.length > 0 && !b.capabilities.portForwards)
        throw new NsError("ERR_NS_UNSUPPORTED", `the ${b.name} backend does not implement port forwards`, {
          hint: "drop the forwards or use another backend",
        });
      return withLock(config.id, async () => {
        const pidStart = config.pid !== undefined ? processStartTime(config.pid) : undefined;
        const reserve = () =>
          store.reserve(config.id, (claims, index) => {
            const { resolved, claims: mine } = allocate(config, index ?? claims, options.ipam);
            const info: NamespaceInfo = {
              id: config.id,
              mode: config.mode,
              backend: b.name,
              enforced: cap.enforced,
              createdAt: resolved.createdAt,
              portForwards: config.portForwards,
              dnsServers: config.dnsServers,
            };
            if (config.pid !== undefined) info.pid = config.pid;
            if (resolved.interface) info.interface = resolved.interface;
            if (config.bridge !== undefined) info.bridge = config.bridge;
            if (config.labels !== undefined) info.labels = config.labels;
            const r: NamespaceRecord = {
              info,
              state: "creating",
              backendData: {},
              ownerPid: process.pid,
              resolved,
              ...owner(),
            };
            if (pidStart !== undefined) r.pidStartTime = pidStart;
            return { record: r, claims: mine };
          });
        // A port or address still held by one of our background destroys is free as soon as it settles.
        let rec: NamespaceRecord | undefined;
        for (;;) {
          try {
            rec = await reserve();
            break;
          } catch (e) {
            if (!(await background.waitForHolder(e, config.id))) throw e;
          }
        }
        let created: Awaited<ReturnType<NetworkBackend["create"]>>;
        try {
          created = await b.create(rec.resolved);
        } catch (e) {
          // The backend removed what it made; only the reservation is left to release.
          await rollback(b, undefined, config.id);
          throw toNsError(e);
        }
        const info: NamespaceInfo = { ...rec.info };
        if (created.handle !== undefined) info.handle = created.handle;
        if (created.uplink !== undefined) info.uplink = created.uplink;
        if (created.mtu !== undefined && info.interface)
          info.interface = { ...info.interface, mtu: created.mtu };
        try {
          const done = await store.update(config.id, { state: "ready", backendData: created.data, info });
          return done.info;
        } catch (e) {
          await rollback(b, { ...rec, info, backendData: created.data }, config.id);
          throw toNsError(e);
        }
      });
    },
    async destroy(id, destroyOptions = {}) {
      const b = await backend();
      await withLock(id, async () => {
        const r = await record(id);
        // Tearing down under another process's create would leave its objects behind when it finishes.
        if (
          r.state === "creating" &&
          r.ownerPid !== process.pid &&
          processAlive(r.ownerPid, r.ownerStartTime)
        )
          throw new NsError("ERR_NS_STATE", `namespace ${id} is being created by process ${r.ownerPid}`, {
            hint: "wait for the create to finish, then destroy it",
            details: { id, ownerPid: r.ownerPid },
          });
        // Already being destroyed in the background here: waiting for it is this destroy.
        const inFlight = background.pending(id);
        if (inFlight && destroyOptions.background) return;
        if (inFlight) {
          await inFlight;
          // A background teardown that failed left the record: this destroy retries it and reports failures.
          const left = await store.get(id);
          if (left) await teardown(b, left);
          return;
        }
        await (destroyOptions.background ? background.start(b, r) : teardown(b, r));
      });
    },
    settle: () => background.settle(),
    async exists(id) {
      return (await store.get(id)) !== undefined;
    },
    async getInfo(id) {
      return (await record(id)).info;
    },
    async getStats(id) {
      const r = await record(id);
      return (await backend()).getStats(r);
    },
    async list() {
      return (await store.list()).map((r) => r.info);
    },
    async getByPid(pid) {
      // A record whose process started at another time belongs to an earlier holder of this pid.
      const now = processStartTime(pid);
      const found = (await store.findByPid(pid)).filter(
        (r) => r.pidStartTime === undefined || now === undefined || r.pidStartTime === now,
      );
      if (found.length === 0)
        throw new NsError("ERR_NS_NOT_FOUND", `no namespace is bound to pid ${pid}`, {
          hint: "create one with NamespaceConfig.*(pid) or `ns create --pid`",
          details: { pid },
        });
      return found[0]!.info;
    },
    async enter(id) {
      const r = await record(id);
      return (await backend()).enter(r);
    },
    async gc() {
      const b = await backend();
      // A background destroy in flight is this process working on the record: gc waits for it, never races it.
      return collectGarbage({
        store,
        backend: b,
        withLock,
        teardown: (r) => background.pending(r.info.id) ?? teardown(b, r),
      });
    },
    async backendInfo() {
      const { backend: b, choice } = await load();
      const report: BackendReport = { name: b.name, reason: choice.reason, capabilities: b.capabilities };
      if (choice.requestedBy) report.requestedBy = choice.requestedBy;
      return report;
    },
    async close() {
      // The store is closed even when the backend fails to close (or never loaded).
      try {
        // Background destroys finish first; their failures stay for gc (records kept as destroying).
        await background.drain();
        const l = loaded && (await loaded.catch(() => undefined));
        await l?.backend.close?.();
      } finally {
        await store.close();
      }
    },
  };
  return manager;
}

/** The original design's spelling: `NamespaceManager.new()` is `createNamespaceManager()`. */
export const NamespaceManager = {
  /** Creates a manager (auto-detects the backend unless told otherwise). */
  new: (options: NamespaceManagerOptions = {}): NamespaceManager => createNamespaceManager(options),
} as const;
