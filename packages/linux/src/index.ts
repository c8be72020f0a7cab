import type { BackendFactoryOptions, NetworkBackend } from "@ns/core";
import { createLinuxBackend, type LinuxBackendOptions } from "./backend.ts";
import { probeLinux } from "./doctor.ts";

export {
  createLinuxBackend,
  LINUX_CAPABILITIES,
  type LinuxBackend,
  type LinuxBackendOptions,
} from "./backend.ts";
export type { Finding } from "./doctor.ts";
export { doctor, probeLinux } from "./doctor.ts";
export type { KernelDriver, ProcessDriverOptions } from "./driver.ts";
export { createProcessDriver } from "./driver.ts";
export type { FileOps } from "./fs.ts";
export { createMemoryFileOps, createNodeFileOps } from "./fs.ts";
export {
  createFlockHostLock,
  createHelperHostLock,
  DEFAULT_HOST_LOCK_TIMEOUT_MS,
  defaultHostLock,
  type HostLock,
  PROCESS_LOCAL_LOCK,
} from "./host-lock.ts";
export {
  BRIDGE_PREFIX,
  bridgeName,
  DEFAULT_NETNS_DIR,
  DEFAULT_STATE_DIR,
  idFromNetnsName,
  NETNS_PREFIX,
  NFT_FAMILY,
  NFT_TABLE,
  netnsName,
  ourLinkKind,
  VETH_PREFIX,
  vethName,
} from "./names.ts";
export type { ReconcileReport } from "./reconcile.ts";

/** Backend-module entry point, loaded by name by @ns/core. */
export function createBackend(options: BackendFactoryOptions & LinuxBackendOptions = {}): NetworkBackend {
  return createLinuxBackend(options);
}

/** Whether the Linux backend can run here (root or CAP_NET_ADMIN+CAP_SYS_ADMIN, ip, nft, nsenter), and why not. */
export async function probe(options: BackendFactoryOptions = {}): Promise<{ ok: boolean; reason: string }> {
  return probeLinux(options);
}
