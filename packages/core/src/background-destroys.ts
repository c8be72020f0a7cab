import { isNsError, type NsError, TeardownError, teardownFailures } from "@ns/types";
import type { NamespaceRecord, NetworkBackend } from "./backend.ts";
import type { RecordPatch, StateStore } from "./store/store.ts";

/** Destroys that return early and finish in the background (NamespaceManager.destroy with `background`). */
export interface BackgroundDestroys {
  /** Marks the record destroying, runs the backend's first phase, and lets the rest finish in the background. */
  start(backend: NetworkBackend, record: NamespaceRecord): Promise<void>;
  /** The in-flight destroy of an id, if any. */
  pending(id: string): Promise<void> | undefined;
  /**
   * If `error` says a port, an address or the id itself (creating `id`) is held by one of our in-flight
   * destroys, waits for it; true if it did (the caller retries, and waits again for the next holder).
   */
  waitForHolder(error: unknown, id?: string): Promise<boolean>;
  /** Waits for every in-flight destroy; throws TeardownError with every failure since the last settle. */
  settle(): Promise<void>;
  /** Waits for every in-flight destroy, failures left for gc. */
  drain(): Promise<void>;
}

/** Tracks background destroys of one manager; a record and its claims stay until the kernel is done. */
export function createBackgroundDestroys(
  store: StateStore,
  owner: () => RecordPatch,
  /** The manager's own (waiting) destroy, for backends without a first phase. */
  teardown: (backend: NetworkBackend, record: NamespaceRecord) => Promise<void>,
): BackgroundDestroys {
  const inFlight = new Map<string, Promise<void>>();
  const failures: NsError[] = [];
  const drain = async () => {
    while (inFlight.size > 0) await Promise.all([...inFlight.values()]);
  };
  return {
    async start(backend, record) {
      if (!backend.beginDestroy) return teardown(backend, record);
      const id = record.info.id;
      const marked = await store.update(id, { state: "destroying", ...owner() });
      const { settled } = await backend.beginDestroy(marked);
      const done = settled
        .then(() => store.remove(id))
        .then(
          () => undefined,
          (e: unknown) => {
            // The record stays `destroying` with its resources held: gc retries it, settle() reports it.
            failures.push(...teardownFailures(e));
          },
        )
        .finally(() => inFlight.delete(id));
      inFlight.set(id, done);
    },
    pending: (id) => inFlight.get(id),
    async waitForHolder(error, id) {
      let holder: string | undefined;
      if (isNsError(error, "ERR_NS_EXISTS") && id !== undefined) holder = id;
      else if (isNsError(error, "ERR_NS_PORT_IN_USE") || isNsError(error, "ERR_NS_ADDRESS_IN_USE"))
        holder = String(error.details.owner);
      if (holder === undefined) return false;
      const held = inFlight.get(holder);
      if (held === undefined) return false;
      await held;
      return true;
    },
    async settle() {
      await drain();
      const all = failures.splice(0);
      if (all.length > 0) throw new TeardownError("background destroys", all);
    },
    drain,
  };
}
