import { type NsError, teardownFailures, toNsError } from "@ns/types";
import type { NamespaceRecord, NetworkBackend } from "./backend.ts";
import { processAlive } from "./process-info.ts";
import type { StateStore } from "./store/store.ts";

/** What gc found and did. */
export interface GcReport {
  /** Records removed because their creator died mid-way, their pid exited, or their OS objects vanished. */
  removedRecords: string[];
  /** OS objects of ours that no record owned, removed. */
  removedObjects: string[];
  /** Failures, gc went on past each. */
  errors: NsError[];
  /** Why each removed record was a leftover, by id. */
  reasons?: Record<string, string>;
}

/** What gc needs from the manager. */
export interface GcContext {
  store: StateStore;
  backend: NetworkBackend;
  /** The manager's per-id lock: gc never races a create or destroy of this process. */
  withLock: <T>(id: string, fn: () => Promise<T>) => Promise<T>;
  /** Marks the record destroying, destroys its OS objects, releases it. */
  teardown: (r: NamespaceRecord) => Promise<void>;
}

/**
 * Why a record is a leftover, or undefined when it is live or another process is still working on it.
 * Runs under the record's lock, so a non-ready record owned by this process is no longer being worked on.
 */
async function leftover(r: NamespaceRecord, backend: NetworkBackend): Promise<string | undefined> {
  if (r.state !== "ready") {
    if (r.ownerPid === process.pid) return `left ${r.state} by an earlier failure in this process`;
    if (!processAlive(r.ownerPid, r.ownerStartTime)) return `its ${r.state} process ${r.ownerPid} died`;
    return undefined;
  }
  if (r.info.pid !== undefined && !processAlive(r.info.pid, r.pidStartTime))
    return `its process ${r.info.pid} exited`;
  // An unanswerable exists() keeps the record: removing a live namespace is worse than keeping a dead one.
  if (!(await backend.exists(r).catch(() => true))) return "its OS objects vanished";
  return undefined;
}

/** Removes leftover records, then OS objects that no live record owns; goes on past every failure. */
export async function collectGarbage(ctx: GcContext): Promise<GcReport> {
  const { store, backend, withLock } = ctx;
  const report: GcReport = { removedRecords: [], removedObjects: [], errors: [], reasons: {} };
  for (const listed of await store.list()) {
    const id = listed.info.id;
    try {
      await withLock(id, async () => {
        // Re-read under the lock: the record may have been finished or destroyed since the listing.
        const r = await store.get(id);
        if (!r) return;
        const why = await leftover(r, backend);
        if (why === undefined) return;
        await ctx.teardown(r);
        report.removedRecords.push(id);
        report.reasons![id] = why;
      });
    } catch (e) {
      report.errors.push(...teardownFailures(e));
    }
  }
  try {
    // List objects before reading the live records: a namespace created in between has its record inserted
    // before its objects, so nothing that belongs to a live record is ever taken for an orphan.
    const owned = await backend.listOwned();
    const live = await store.list();
    const ids = new Set(live.map((r) => r.info.id));
    const bridges = new Set(live.flatMap((r) => (r.info.bridge === undefined ? [] : [r.info.bridge])));
    const orphans = owned.filter((o) =>
      o.namespaceId !== undefined
        ? !ids.has(o.namespaceId)
        : o.bridge === undefined || !bridges.has(o.bridge),
    );
    if (orphans.length > 0) {
      try {
        await backend.removeOwned(orphans);
      } catch (e) {
        report.errors.push(...teardownFailures(e));
      }
      report.removedObjects.push(...orphans.map((o) => `${o.kind}:${o.name}`));
    }
  } catch (e) {
    report.errors.push(toNsError(e));
  }
  return report;
}
