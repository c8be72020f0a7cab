/** Unique identifier of a namespace: lowercase letters, digits, `-`, `_`, 1-48 chars, starting with a letter or digit. */
export type NamespaceId = string;

/** Network isolation level. */
export type IsolationMode = "full" | "private" | "shared" | "bridged";

/** All isolation modes, in order of strength. */
export const ISOLATION_MODES: readonly IsolationMode[] = ["full", "private", "bridged", "shared"];

/** Transport protocol of a port forward. */
export type Protocol = "tcp" | "udp";

/** The namespace's own network interface. Addresses may be IPv4 or IPv6. */
export interface InterfaceConfig {
  /** Name inside the namespace (at most 15 bytes, no `/`, `%` or whitespace). */
  name: string;
  /** Address of the namespace end: unicast, not the network or broadcast address of its subnet. */
  ipAddr: string;
  /** Prefix length of the namespace subnet: 1..31 for IPv4, 1..127 for IPv6. */
  prefixLen: number;
  /** Default gateway (the host end in private mode); must lie inside the subnet. */
  gateway?: string;
  /** MTU, 68..65535 (at least 1280 for IPv6). */
  mtu: number;
}

/** A forward of a host port to a port inside the namespace. */
export interface PortForward {
  /** Port on the host, 1..65535. */
  hostPort: number;
  /** Port inside the namespace, 1..65535. */
  nsPort: number;
  /** Transport protocol. */
  protocol: Protocol;
  /** Host address to accept on (not 0.0.0.0 or ::); every host address when absent. */
  hostAddr?: string;
}

/** Name of a backend implementation. */
export type BackendName = "linux" | "macos" | "simulation";

/** What a live namespace looks like, as stored and returned by getInfo/list. */
export interface NamespaceInfo {
  /** Namespace id. */
  id: NamespaceId;
  /** Isolation level. */
  mode: IsolationMode;
  /** Owning process, if any. */
  pid?: number;
  /** Backend that created it. */
  backend: BackendName;
  /** Whether the isolation is enforced by the OS (false for simulation and for unsupported guarantees). */
  enforced: boolean;
  /** Creation time, ISO 8601. */
  createdAt: string;
  /** The namespace's interface with its resolved address. */
  interface?: InterfaceConfig;
  /** Port forwards. */
  portForwards: PortForward[];
  /** DNS servers. */
  dnsServers: string[];
  /** Bridge name (bridged). */
  bridge?: string;
  /** Uplink used for NAT (private). */
  uplink?: string;
  /** Backend handle: e.g. the netns path on Linux. */
  handle?: string;
  /** User labels. */
  labels?: Record<string, string>;
}

/** Counters and addresses of one interface. */
export interface InterfaceStats {
  /** Interface name. */
  name: string;
  /** Addresses in CIDR notation. */
  addresses: string[];
  /** MTU. */
  mtu: number;
  /** Operational state (up, down, unknown). */
  state: string;
  /** Bytes received. */
  rxBytes: number;
  /** Bytes sent. */
  txBytes: number;
  /** Packets received. */
  rxPackets: number;
  /** Packets sent. */
  txPackets: number;
  /** Received packets dropped. */
  rxDropped: number;
  /** Sent packets dropped. */
  txDropped: number;
}

/** Runtime statistics of a namespace (sums over its interfaces). */
export interface NamespaceStats {
  /** Namespace id. */
  id: NamespaceId;
  /** Creation time, ISO 8601. */
  createdAt: string;
  /** Bytes received. */
  rxBytes: number;
  /** Bytes sent. */
  txBytes: number;
  /** Packets received. */
  rxPackets: number;
  /** Packets sent. */
  txPackets: number;
  /** Received packets dropped. */
  rxDropped: number;
  /** Sent packets dropped. */
  txDropped: number;
  /** Per-interface detail. */
  interfaces: InterfaceStats[];
}
