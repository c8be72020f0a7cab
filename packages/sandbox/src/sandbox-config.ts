import { NamespaceConfig, type NamespaceConfigOverrides } from "@ns/types";
import { Capability } from "./capability.ts";

/** What a sandbox is allowed to do and the namespace it runs in. */
export interface SandboxConfig {
  /** Process that owns the sandbox: when it exits the sandbox is destroyed (see SandboxManager). */
  pid?: number;
  /** Granted capabilities; `config.capabilities.add(Capability.NetworkNamespace)` grants one. */
  capabilities: Set<Capability>;
  /** The namespace the sandboxed processes run in; its mode must be allowed by `capabilities`. */
  network: NamespaceConfig;
}

function make(network: NamespaceConfig, capabilities: Capability[], pid: number | undefined): SandboxConfig {
  const config: SandboxConfig = { capabilities: new Set(capabilities), network };
  if (pid !== undefined) config.pid = pid;
  return config;
}

/** Presets named as in the original design: `SandboxConfig.minimal(pid)` and friends. */
export const SandboxConfig = {
  /** Full isolation: only loopback; grants NetworkNamespace and nothing else. */
  minimal(pid?: number, overrides: NamespaceConfigOverrides = {}): SandboxConfig {
    return make(NamespaceConfig.fullIsolation(pid, overrides), [Capability.NetworkNamespace], pid);
  },
  /** Private network with outbound NAT; grants NetworkNamespace and NetworkOutbound (no inbound forwards). */
  standard(pid?: number, overrides: NamespaceConfigOverrides = {}): SandboxConfig {
    return make(
      NamespaceConfig.privateNetwork(pid, overrides),
      [Capability.NetworkNamespace, Capability.NetworkOutbound],
      pid,
    );
  },
  /**
   * Private network with every network capability except NetworkNamespace, which the caller grants
   * explicitly, as in the original design: `config.capabilities.add(Capability.NetworkNamespace)`.
   */
  privileged(pid: number | undefined, overrides: NamespaceConfigOverrides = {}): SandboxConfig {
    return make(
      NamespaceConfig.privateNetwork(pid, overrides),
      [
        Capability.NetworkOutbound,
        Capability.NetworkInbound,
        Capability.NetworkBridge,
        Capability.NetworkHost,
        Capability.NetworkRaw,
      ],
      pid,
    );
  },
  /** A sandbox around any namespace config with exactly the given capabilities. */
  custom(network: NamespaceConfig, capabilities: Iterable<Capability>): SandboxConfig {
    return make(network, [...capabilities], network.pid);
  },
} as const;
