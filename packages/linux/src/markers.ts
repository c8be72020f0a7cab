import { ownerExited } from "@ns/core";
import type { InterfaceConfig, IsolationMode, PortForward } from "@ns/types";
import type { FileOps } from "./fs.ts";
import type { NftElement } from "./nft-table.ts";

/**
 * What we know about one namespace of ours, written before any kernel object exists.
 * Named namespaces and /etc/netns are machine-wide, but our links and nft table live in one network
 * namespace (the "host"); the marker says which, so gc in one host never touches another's namespaces.
 */
export interface NetnsMarker {
  /** Namespace id. */
  id: string;
  /** Mode. */
  mode: IsolationMode;
  /** Identity of the host network namespace that created it. */
  hostNetns: string;
  /** Owner (state store or process, see BackendFactoryOptions.owner); gc collects only its own owner's. */
  owner?: string;
  /** Named netns. */
  netns: string;
  /** Host-side veth, if any. */
  veth?: string;
  /** Kernel bridge, if any. */
  bridge?: string;
  /** User-visible bridge name (bridged). */
  bridgeName?: string;
  /** Uplink used for NAT (private). */
  uplink?: string;
  /** Resolved interface. */
  iface?: InterfaceConfig;
  /** Host-to-namespace forwards (their conntrack entries are flushed on teardown). */
  forwards?: PortForward[];
  /** nft elements of this namespace alone (a bridge's own elements go with its last member). */
  elements?: NftElement[];
  /** Set when teardown started: reconcile must not bring its elements back. */
  destroying?: boolean;
  /** Address blackholed by a background destroy until its rules are gone (removed at the end of teardown). */
  blackhole?: string;
}

/** Path of a namespace's marker file. */
export function markerPath(stateDir: string, netns: string): string {
  return `${stateDir}/netns/${netns}.json`;
}
const path = markerPath;

/** Writes the marker of a namespace. */
export function writeMarker(files: FileOps, stateDir: string, marker: NetnsMarker): void {
  files.write(path(stateDir, marker.netns), JSON.stringify(marker), { mkdir: true });
}

/** Reads one marker, or undefined. */
export function readMarker(files: FileOps, stateDir: string, netns: string): NetnsMarker | undefined {
  const text = files.read(path(stateDir, netns));
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as NetnsMarker;
  } catch {
    return undefined;
  }
}

/** Removes a marker (missing is fine). */
export function removeMarker(files: FileOps, stateDir: string, netns: string): void {
  files.remove(path(stateDir, netns));
}

/** Whether gc under `owner` may collect this namespace: its own, an unowned legacy one, or one of an exited process. */
export function ownedBy(m: NetnsMarker, owner: string): boolean {
  return m.owner === undefined || m.owner === owner || ownerExited(m.owner);
}

/** Every readable marker on disk, one file at a time. */
function* markersOn(files: FileOps, stateDir: string): Generator<NetnsMarker> {
  for (const n of files.list(`${stateDir}/netns`)) {
    if (!n.endsWith(".json")) continue;
    const m = readMarker(files, stateDir, n.slice(0, -".json".length));
    if (m) yield m;
  }
}

/** Whether any marker of `hostNetns` matches: stops at the first (teardown asks this under the global lock). */
export function someMarker(
  files: FileOps,
  stateDir: string,
  hostNetns: string,
  match: (m: NetnsMarker) => boolean,
): boolean {
  for (const m of markersOn(files, stateDir)) if (m.hostNetns === hostNetns && match(m)) return true;
  return false;
}

/** Every marker, optionally only those of one host network namespace. */
export function listMarkers(files: FileOps, stateDir: string, hostNetns?: string): NetnsMarker[] {
  return [...markersOn(files, stateDir)].filter((m) => hostNetns === undefined || m.hostNetns === hostNetns);
}
