import {
  type BackendCapabilities,
  type CommandRunner,
  createExecRunner,
  createKeyedLock,
  type EnterSpec,
  type NamespaceRecord,
  type NetworkBackend,
  processOwnerId,
} from "@ns/core";
import { type NamespaceStats, sumInterfaceStats } from "@ns/types";
import type { BackendContext } from "./context.ts";
import { createNamespace } from "./create.ts";
import { resolvConfPath } from "./dns.ts";
import { doctor, type Finding } from "./doctor.ts";
import { createProcessDriver, type KernelDriver } from "./driver.ts";
import { enterPrefix } from "./enter.ts";
import type { FileOps } from "./fs.ts";
import { defaultHostLock, type HostLock, PROCESS_LOCAL_LOCK } from "./host-lock.ts";
import { currentNetnsId } from "./host-netns.ts";
import { tryCreateInprocDriver } from "./inproc/index.ts";
import { type NetnsMarker, readMarker } from "./markers.ts";
import {
  bridgeLockKey,
  bridgeName,
  DEFAULT_NETNS_DIR,
  DEFAULT_STATE_DIR,
  hostStateDir,
  netnsName,
  vethName,
} from "./names.ts";
import { createNftApplier } from "./nft-apply.ts";
import { listOwnedObjects, removeOwnedObjects } from "./owned.ts";
import { privateElements } from "./plan-private.ts";
import { type ReconcileReport, reconcile } from "./reconcile.ts";
import { parseInterfaceStats } from "./stats.ts";
import { beginTeardown, teardownNamespace } from "./teardown.ts";
import { createUplinkResolver } from "./uplink.ts";

/** Options of createLinuxBackend. */
export interface LinuxBackendOptions {
  /** Runs ip/nft/nsenter/conntrack; tests pass a recording runner (default: createExecRunner from @ns/core). */
  runner?: CommandRunner;
  /** Default uplink for private namespaces (default: the default route's device). */
  uplink?: string;
  /** Owner written into markers (the manager passes its store's identity); gc collects only this owner's namespaces. */
  owner?: string;
  /** Markers and saved sysctl values (default /run/ns/linux). */
  stateDir?: string;
  /** Directory of named namespaces (default /run/netns, as `ip netns` uses). */
  netnsDir?: string;
  /** File operations (sysctls, resolv.conf, markers); unit tests inject an in-memory fake. */
  files?: FileOps;
  /** Replaces the process driver entirely (e.g. an in-process netlink driver). */
  driver?: KernelDriver;
  /** Identity of the host network namespace (default: inode of /proc/self/ns/net). */
  hostNetns?: string;
  /**
   * Cross-process lock around shared kernel state (default: flock(2) with the in-process driver, flock(1) with
   * the process driver, none beyond this process when `files` is injected).
   */
  hostLock?: HostLock;
}

/** What the Linux backend enforces, per mode. */
export const LINUX_CAPABILITIES: BackendCapabilities = {
  modes: {
    full: { supported: true, enforced: true, notes: "own network namespace with only loopback up" },
    private: {
      supported: true,
      enforced: true,
      notes: "routed veth pair, NAT out of the uplink, nftables isolation (IPv4 only)",
    },
    shared: {
      supported: true,
      enforced: true,
      notes: "no isolation by design: the process uses the host network stack",
    },
    bridged: {
      supported: true,
      enforced: true,
      notes: "veth on a per-name bridge without host address; nftables keeps it off the host and uplink",
    },
  },
  portForwards: true,
  stats: "kernel",
  gc: true,
};

/** Marker of a record: the one on disk, else rebuilt from the record (e.g. written by an older version). */
function markerOf(ctx: BackendContext, record: NamespaceRecord): NetnsMarker {
  const { info } = record;
  const netns = netnsName(info.id);
  const onDisk = readMarker(ctx.driver.files, ctx.stateDir, netns);
  if (onDisk && onDisk.hostNetns === ctx.hostNetns) return onDisk;
  const m: NetnsMarker = { id: info.id, mode: info.mode, hostNetns: ctx.hostNetns, owner: ctx.owner, netns };
  const iface = record.resolved.interface ?? info.interface;
  if (info.mode === "private" || info.mode === "bridged") {
    m.veth = vethName(info.id);
    if (iface) m.iface = iface; // a background destroy blackholes this address
  }
  if (info.mode === "bridged" && info.bridge) {
    m.bridge = bridgeName(info.bridge);
    m.bridgeName = info.bridge;
    m.elements = [];
  }
  const uplink = (record.backendData.uplink as string | undefined) ?? info.uplink;
  if (info.mode === "private") {
    if (uplink) m.uplink = uplink;
    m.forwards = [...info.portForwards];
    if (iface && uplink)
      m.elements = privateElements({
        id: info.id,
        iface,
        mtu: iface.mtu,
        uplink,
        forwards: info.portForwards,
      });
  }
  return m;
}

/** The Linux backend: the NetworkBackend contract plus Linux-only maintenance verbs. */
export interface LinuxBackend extends NetworkBackend {
  /** Re-applies nft elements and sysctls of every live namespace (after `nft flush ruleset`, a firewalld reload...). */
  reconcile(): Promise<ReconcileReport>;
  /** Host findings that affect the guarantees (foreign DROP policies, missing tools...). */
  doctor(): Promise<Finding[]>;
  /** Which kernel driver applies the plans (in-process or process) and why. */
  readonly driverReason: string;
}

/**
 * The kernel driver: the caller's; else the in-process one (netlink and libnftables through koffi, ~5x faster)
 * when it loads and nothing was injected (an injected runner or file layer must see every command);
 * else the process driver. NS_LINUX_DRIVER=process forces the process driver.
 */
type DriverKind = "inproc" | "process" | "given";

function selectDriver(
  options: LinuxBackendOptions,
  runner: CommandRunner,
  netnsDir: string,
): { driver: KernelDriver; driverReason: string; kind: DriverKind } {
  if (options.driver)
    return { driver: options.driver, driverReason: "driver given by the caller", kind: "given" };
  const processDriver = (driverReason: string) => ({
    driver: createProcessDriver({ runner, netnsDir, ...(options.files ? { files: options.files } : {}) }),
    driverReason,
    kind: "process" as const,
  });
  if (options.runner !== undefined || options.files !== undefined)
    return processDriver("process driver: a runner or file layer was injected");
  if (process.env.NS_LINUX_DRIVER === "process")
    return processDriver("process driver: NS_LINUX_DRIVER=process");
  const inproc = tryCreateInprocDriver({ runner, netnsDir });
  if (inproc.driver) return { driver: inproc.driver, driverReason: inproc.reason, kind: "inproc" };
  return processDriver(`process driver: ${inproc.reason}`);
}

function selectHostLock(options: LinuxBackendOptions, dir: string, kind: DriverKind): HostLock {
  if (options.hostLock) return options.hostLock;
  if (options.files !== undefined) return PROCESS_LOCAL_LOCK;
  return defaultHostLock(dir, { native: kind !== "process" });
}

/** The Linux backend: network namespaces, veth pairs, bridges and one nftables table. */
export function createLinuxBackend(options: LinuxBackendOptions = {}): LinuxBackend {
  const netnsDir = options.netnsDir ?? DEFAULT_NETNS_DIR;
  const runner = options.runner ?? createExecRunner();
  const { driver, driverReason, kind } = selectDriver(options, runner, netnsDir);
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  const hostNetns = options.hostNetns ?? currentNetnsId();
  // Per host network namespace, like every shared decision (markers, the nft table and ip_forward are per netns).
  const hostLock = selectHostLock(options, hostStateDir(stateDir, hostNetns), kind);
  const keyed = createKeyedLock();
  // In-process order first (cheap, fair), then the other processes: a key is never held twice by this process.
  const withLock = <T>(key: string, fn: () => Promise<T>) => keyed(key, () => hostLock.run(key, fn));
  const ctx: BackendContext = {
    driver,
    stateDir,
    hostNetns,
    owner: options.owner ?? processOwnerId(),
    withLock,
    resolveUplink: createUplinkResolver(driver),
    nft: createNftApplier(driver),
  };
  if (options.uplink !== undefined) ctx.uplink = options.uplink;

  const destroyMarker = (m: NetnsMarker) =>
    m.bridgeName
      ? withLock(bridgeLockKey(bridgeName(m.bridgeName)), () => teardownNamespace(ctx, m))
      : teardownNamespace(ctx, m);

  return {
    name: "linux",
    driverReason,
    capabilities: LINUX_CAPABILITIES,
    async create(ns, signal) {
      if (ns.config.mode === "shared") return { data: { shared: true } };
      return createNamespace(ctx, ns, signal);
    },
    async destroy(record) {
      if (record.info.mode === "shared") return;
      await destroyMarker(markerOf(ctx, record));
    },
    async beginDestroy(record) {
      if (record.info.mode === "shared") return { settled: Promise.resolve() };
      const m = markerOf(ctx, record);
      if (m.mode !== "private") {
        await destroyMarker(m);
        return { settled: Promise.resolve() };
      }
      return beginTeardown(ctx, m);
    },
    async exists(record) {
      if (record.info.mode === "shared") return true;
      const netns = netnsName(record.info.id);
      if (!driver.netnsExists(netns)) return false;
      if (record.info.mode === "full") return true;
      return driver.linkExists(vethName(record.info.id));
    },
    async getStats(record): Promise<NamespaceStats> {
      const { info } = record;
      if (info.mode === "shared") return sumInterfaceStats(info.id, info.createdAt, []);
      const json = await driver.ipJson(["-s", "addr"], netnsName(info.id));
      return sumInterfaceStats(info.id, info.createdAt, parseInterfaceStats(json));
    },
    enter(record): EnterSpec {
      const { info } = record;
      if (info.mode === "shared") return { prefix: [], enforced: true, env: { NS_NAMESPACE_ID: info.id } };
      const netns = netnsName(info.id);
      const resolv = info.mode === "full" ? undefined : resolvConfPath(netns);
      return {
        prefix: enterPrefix(netnsDir, netns, resolv),
        enforced: true,
        env: { NS_NAMESPACE_ID: info.id },
      };
    },
    listOwned: () => listOwnedObjects(ctx),
    reconcile: () => reconcile(ctx),
    doctor: () => doctor({ runner, files: driver.files }),
    removeOwned: (objects) => removeOwnedObjects(ctx, objects),
  };
}
