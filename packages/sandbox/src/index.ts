export type { CapabilityRequirement } from "./capability.ts";
export {
  ALL_CAPABILITIES,
  assertCapabilities,
  Capability,
  capabilityName,
  isCapability,
  missingCapabilities,
  requiredCapabilities,
} from "./capability.ts";
export { createSandbox, defaultSandboxManager, destroySandbox, spawn } from "./default-manager.ts";
export { exitCodeOf } from "./exit-code.ts";
export type { ExtrasFacts } from "./linux-extras.ts";
export type { PidWatcher, PidWatcherOptions, ProcessProbe } from "./pid-watcher.ts";
export { createPidWatcher, realProcessProbe } from "./pid-watcher.ts";
export { SandboxConfig } from "./sandbox-config.ts";
export type { Sandbox, SandboxManagerOptions } from "./sandbox-manager.ts";
export { createSandboxManager, SandboxManager } from "./sandbox-manager.ts";
export type { SandboxProcess, SandboxResult, SpawnOptions } from "./spawn.ts";
export { FORWARDED_SIGNALS } from "./spawn.ts";
