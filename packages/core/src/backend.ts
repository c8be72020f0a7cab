import type {
  BackendName,
  InterfaceConfig,
  IsolationMode,
  NamespaceConfig,
  NamespaceInfo,
  NamespaceStats,
} from "@ns/types";

/** What a backend can do for one mode, and whether the OS really enforces it. */
export interface ModeCapability {
  /** The mode can be created at all. */
  supported: boolean;
  /** The isolation is enforced by the OS (false: simulated or best effort). */
  enforced: boolean;
  /** One sentence on limits, shown by `ns doctor`. */
  notes?: string;
}

/** What a backend can really enforce, per mode, plus optional features. */
export interface BackendCapabilities {
  /** Per-mode support and enforcement. */
  modes: Record<IsolationMode, ModeCapability>;
  /** Host->namespace port forwards are implemented. */
  portForwards: boolean;
  /** Where stats come from: kernel counters, a model, or nowhere. */
  stats: "kernel" | "model" | "none";
  /** The backend can find its own leftovers (gc). */
  gc: boolean;
}

/** A validated config plus everything the manager allocated for it; what a backend creates from. */
export interface ResolvedNamespace {
  /** The validated config as the user gave it. */
  config: NamespaceConfig;
  /** Resolved interface (private and bridged): address from the pool or the user's. */
  interface?: InterfaceConfig;
  /** Subnet of the bridge (bridged), `a.b.c.d/n`. */
  bridgeSubnet?: string;
  /** Creation time, ISO 8601. */
  createdAt: string;
}

/** How to start a process inside a namespace: prefix the command with `prefix`. */
export interface EnterSpec {
  /** Command and arguments that run the rest inside the namespace ([] = run as is). */
  prefix: string[];
  /** Extra environment for the child. */
  env?: Record<string, string>;
  /** Whether the OS enforces the namespace's isolation on the child. */
  enforced: boolean;
}

/** Backend-private data persisted with a namespace (link names, tokens...). JSON only. */
export type BackendData = Record<string, unknown>;

/** Lifecycle state of a stored namespace. */
export type NamespaceState = "creating" | "ready" | "destroying";

/** A namespace as the state store keeps it. */
export interface NamespaceRecord {
  /** Public view. */
  info: NamespaceInfo;
  /** Lifecycle state; `creating` records of dead owners are leftovers of a crash. */
  state: NamespaceState;
  /** Backend-private data. */
  backendData: BackendData;
  /** Process that is creating/destroying it, to tell a crash from work in progress. */
  ownerPid: number;
  /** Resolved namespace the backend was asked to create. */
  resolved: ResolvedNamespace;
  /** Start time of `info.pid` when bound, so a reused pid is never taken for the owner. */
  pidStartTime?: string;
  /** Start time of `ownerPid`, so a crashed owner whose pid was reused is still recognised as dead. */
  ownerStartTime?: string;
}

/** An object in the OS that the backend owns by name. */
export interface OwnedObject {
  /** Kind, e.g. netns, link, nft-element, pf-anchor. */
  kind: string;
  /** Name in the OS. */
  name: string;
  /** Namespace id it belongs to, when the name tells. */
  namespaceId?: string;
  /** Bridge it serves (shared by the bridge's members): gc keeps it while a live record uses that bridge. */
  bridge?: string;
}

/** The one interface every backend implements: paired verbs and declared guarantees. */
export interface NetworkBackend {
  /** Backend name. */
  readonly name: BackendName;
  /** What this backend can really enforce, per mode. */
  readonly capabilities: BackendCapabilities;
  /** Creates the OS objects of a namespace; on failure removes what it made, then throws. */
  create(ns: ResolvedNamespace, signal?: AbortSignal): Promise<CreateResult>;
  /** Removes everything create made; idempotent; keeps going past failed steps and reports all. */
  destroy(record: NamespaceRecord): Promise<void>;
  /**
   * Optional two-phase destroy: returns once nothing can reach the namespace any more (rules removed, namespace
   * deleted), with `settled` resolving when the kernel has really let go of its objects (e.g. a veth that
   * outlives its namespace by ~35 ms) and everything else is cleaned up. Without it, destroy is used.
   */
  beginDestroy?(record: NamespaceRecord): Promise<{ settled: Promise<void> }>;
  /** Whether the namespace's OS objects still exist. */
  exists(record: NamespaceRecord): Promise<boolean>;
  /** Counters and addresses from the OS (or the model). */
  getStats(record: NamespaceRecord): Promise<NamespaceStats>;
  /** How to run a process inside the namespace. */
  enter(record: NamespaceRecord): EnterSpec;
  /** Objects in the OS that carry our names (for gc). */
  listOwned(): Promise<OwnedObject[]>;
  /** Removes objects that no record owns (gc); keeps going and reports all failures. */
  removeOwned(objects: OwnedObject[]): Promise<void>;
  /** Releases resources held by the backend object itself. */
  close?(): Promise<void>;
}

/** Options every backend factory accepts. */
export interface BackendFactoryOptions {
  /** Runs external commands; tests inject a recording runner. */
  runner?: import("./runner.ts").CommandRunner;
  /** Default uplink for private namespaces. */
  uplink?: string;
  /** Directory for backend files (e.g. resolv.conf copies). */
  stateDir?: string;
  /**
   * Who owns what this backend creates: the state store's identity (`sqlite:/path`) or a process
   * (`process:PID:START`). gc only removes objects of its own owner, or of a process owner that has exited,
   * so two stores on one host never collect each other's namespaces. The manager sets it.
   */
  owner?: string;
}

/** What a backend package exports: `createBackend` (loaded lazily by name). */
export interface BackendModule {
  /** Creates the backend. */
  createBackend(options?: BackendFactoryOptions): NetworkBackend | Promise<NetworkBackend>;
  /** Checks whether the backend can run here, and why not. */
  probe?(options?: BackendFactoryOptions): Promise<{ ok: boolean; reason: string }>;
}

/** Turns a record into its public info. */
export function infoOf(record: NamespaceRecord): NamespaceInfo {
  return record.info;
}

/** What create returns: data to persist plus facts the backend resolved. */
export interface CreateResult {
  /** Backend-private data stored with the record and handed back to destroy/getStats/enter. */
  data: BackendData;
  /** Backend handle shown in info (e.g. /run/netns/NAME). */
  handle?: string;
  /** Uplink actually used (private). */
  uplink?: string;
  /** MTU actually used, when the backend picked it (e.g. the uplink's). */
  mtu?: number;
}
