import type { KernelDriver } from "./driver.ts";
import type { NftApplier } from "./nft-apply.ts";
import type { Uplink } from "./uplink.ts";

/** What the mode logic needs: the driver, where state lives, who we are, and a lock for shared state. */
export interface BackendContext {
  driver: KernelDriver;
  /** Directory of markers and saved sysctl values. */
  stateDir: string;
  /** Identity of the host network namespace (markers and saved values are keyed by it). */
  hostNetns: string;
  /** Owner written into markers; gc collects only namespaces of this owner (or of exited processes). */
  owner: string;
  /** Default uplink from the backend options. */
  uplink?: string;
  /** Applies nft element changes (declares the table once per instance). */
  nft: NftApplier;
  /** Resolves an uplink (cached briefly). */
  resolveUplink(wanted?: string): Promise<Uplink>;
  /** Serialises work on one key in this process ("global" for the table and ip_forward, "bridge:<kernel name>" per bridge), then across processes (host-lock.ts). */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** Waits until `done()` holds or `timeoutMs` passes; resolves to whether it held. */
export async function pollUntil(done: () => boolean, timeoutMs = 2000, stepMs = 5): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
}
