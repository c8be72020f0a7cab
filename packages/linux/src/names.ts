import { createHash } from "node:crypto";

/** Prefix of every named network namespace we create (`nsx-<id>`). */
export const NETNS_PREFIX = "nsx-";
/** Prefix of host-side veth ends (`nsv` + 12 hex). */
export const VETH_PREFIX = "nsv";
/** Prefix of bridges (`nsb` + 12 hex). */
export const BRIDGE_PREFIX = "nsb";
/** The one nftables table we own (family inet). */
export const NFT_TABLE = "nsx";
/** Family of the nft table. */
export const NFT_FAMILY = "inet";
/** Default directory for state files (tmpfs: it lives as long as the kernel objects do). */
export const DEFAULT_STATE_DIR = "/run/ns/linux";
/** Default directory of named network namespaces (as `ip netns` uses it). */
export const DEFAULT_NETNS_DIR = "/run/netns";
/** Where `ip netns exec` looks for per-namespace resolv.conf files. */
export const ETC_NETNS_DIR = "/etc/netns";

const HASHED = /^(nsv|nsb)[0-9a-f]{12}$/;

function hash12(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 12);
}

/** Name of the named network namespace of a namespace id. */
export function netnsName(id: string): string {
  return `${NETNS_PREFIX}${id}`;
}

/** Namespace id encoded in one of our netns names, or undefined when the name is not ours. */
export function idFromNetnsName(name: string): string | undefined {
  if (!name.startsWith(NETNS_PREFIX)) return undefined;
  const id = name.slice(NETNS_PREFIX.length);
  return /^[a-z0-9][a-z0-9_-]*$/.test(id) ? id : undefined;
}

/** Host end of a namespace's veth pair: 15 bytes, a hash of the id (never truncation, systemd#10721). */
export function vethName(id: string): string {
  return `${VETH_PREFIX}${hash12(id)}`;
}

/**
 * Fixed MAC addresses of a namespace's veth ends (locally administered, unicast), derived from the id, so both
 * sides can hold permanent neighbour entries for each other: no ARP, and permanent entries do not count
 * against the neighbour table's gc_thresh3 (1024), the next limit after a bridge's 1023 ports.
 */
export function vethMacs(id: string): { host: string; ns: string } {
  const h = createHash("sha256").update(`mac:${id}`).digest("hex").slice(0, 10).match(/../g)!.join(":");
  return { host: `02:${h}`, ns: `06:${h}` };
}

/** Kernel name of a user-visible bridge name. */
export function bridgeName(bridge: string): string {
  return `${BRIDGE_PREFIX}${hash12(bridge)}`;
}

/** Host lock key of a bridge, by its kernel name (`nsb…`), which gc also knows when no marker names the bridge. */
export function bridgeLockKey(kernelBridge: string): string {
  return `bridge:${kernelBridge}`;
}

/** Per host network namespace state (saved ip_forward, host lock files): `<stateDir>/hosts/<netns id>`. */
export function hostStateDir(stateDir: string, hostNetns: string): string {
  return `${stateDir}/hosts/${hostNetns}`;
}

/** A named namespace's directory in /etc/netns (its resolv.conf, as `ip netns exec` expects). */
export function etcNetnsDir(netns: string): string {
  return `${ETC_NETNS_DIR}/${netns}`;
}

/** Kind of one of our link names, or undefined when the link is not ours. */
export function ourLinkKind(name: string): "veth" | "bridge" | undefined {
  const m = HASHED.exec(name);
  if (!m) return undefined;
  return m[1] === VETH_PREFIX ? "veth" : "bridge";
}

/** Path of a named namespace's bind mount. */
export function netnsPath(netnsDir: string, name: string): string {
  return `${netnsDir}/${name}`;
}
