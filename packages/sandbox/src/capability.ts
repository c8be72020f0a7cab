import type { NamespaceConfig } from "@ns/types";
import { NsError } from "@ns/types";

/** What a sandbox may do with the network; a sandbox holds a Set of these. */
export const Capability = {
  /** May run inside a network namespace at all; every mode needs it (as in the original design). */
  NetworkNamespace: "network-namespace",
  /** May open connections out of the namespace (private mode: NAT out of the uplink). */
  NetworkOutbound: "network-outbound",
  /** May accept connections from the host (private mode with port forwards). */
  NetworkInbound: "network-inbound",
  /** May reach other sandboxes on a named bridge (bridged mode). */
  NetworkBridge: "network-bridge",
  /** May use the host's network stack directly (shared mode: no isolation). */
  NetworkHost: "network-host",
  /** May keep raw sockets (CAP_NET_RAW: ping, packet capture); dropped from the child otherwise on Linux. */
  NetworkRaw: "network-raw",
} as const;

/** One capability value, e.g. `Capability.NetworkNamespace`. */
export type Capability = (typeof Capability)[keyof typeof Capability];

/** Every capability, in declaration order. */
export const ALL_CAPABILITIES: readonly Capability[] = Object.values(Capability);

const NAMES = Object.fromEntries(
  Object.entries(Capability).map(([k, v]) => [v, `Capability.${k}`]),
) as Record<Capability, string>;

/** `Capability.NetworkInbound` for "network-inbound": how the docs and errors name a capability. */
export function capabilityName(c: Capability): string {
  return NAMES[c];
}

/** A capability that a namespace config needs, and why. */
export interface CapabilityRequirement {
  /** The capability. */
  capability: Capability;
  /** Why this config needs it, in a few words. */
  reason: string;
}

/** The capabilities a namespace config needs, each with the reason. */
export function requiredCapabilities(config: NamespaceConfig): CapabilityRequirement[] {
  const req: CapabilityRequirement[] = [
    { capability: Capability.NetworkNamespace, reason: `${config.mode} mode runs in a network namespace` },
  ];
  if (config.mode === "private") {
    req.push({ capability: Capability.NetworkOutbound, reason: "private mode has outbound NAT" });
    if (config.portForwards.length > 0)
      req.push({ capability: Capability.NetworkInbound, reason: "port forwards accept host connections" });
  } else if (config.mode === "bridged") {
    req.push({ capability: Capability.NetworkBridge, reason: "bridged mode reaches other namespaces" });
  } else if (config.mode === "shared") {
    req.push({ capability: Capability.NetworkHost, reason: "shared mode uses the host network unisolated" });
  }
  return req;
}

/** The requirements that `granted` lacks (empty when the config is allowed). */
export function missingCapabilities(
  granted: ReadonlySet<Capability>,
  config: NamespaceConfig,
): CapabilityRequirement[] {
  return requiredCapabilities(config).filter((r) => !granted.has(r.capability));
}

/** Throws ERR_NS_CAPABILITY_DENIED naming every missing capability, with the line that grants them. */
export function assertCapabilities(granted: ReadonlySet<Capability>, config: NamespaceConfig): void {
  const missing = missingCapabilities(granted, config);
  if (missing.length === 0) return;
  const names = missing.map((m) => capabilityName(m.capability));
  throw new NsError(
    "ERR_NS_CAPABILITY_DENIED",
    `sandbox for ${config.mode} mode lacks ${names.join(", ")} (${missing.map((m) => m.reason).join("; ")})`,
    {
      hint: `grant it with ${names.map((n) => `config.capabilities.add(${n})`).join(" and ")}, or choose a preset that has it (SandboxConfig.standard, SandboxConfig.privileged)`,
      details: {
        mode: config.mode,
        missing: missing.map((m) => m.capability),
      },
    },
  );
}

/** True for a known capability string (for parsing user input). */
export function isCapability(value: unknown): value is Capability {
  return typeof value === "string" && (ALL_CAPABILITIES as readonly string[]).includes(value);
}
