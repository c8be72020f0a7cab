// The module-level createSandbox/spawn/destroySandbox of the original design, on one lazily made manager.
import type { SandboxConfig } from "./sandbox-config.ts";
import { createSandboxManager, type Sandbox, type SandboxManager } from "./sandbox-manager.ts";
import type { SandboxProcess, SpawnOptions } from "./spawn.ts";

let shared: SandboxManager | undefined;
/** The process-wide default manager (backend auto-detected, in-memory store), created on first use. */
export function defaultSandboxManager(): SandboxManager {
  shared ??= createSandboxManager();
  return shared;
}
/** `createSandbox(config)` on the default manager. */
export function createSandbox(config: SandboxConfig): Promise<Sandbox> {
  return defaultSandboxManager().createSandbox(config);
}
/** `spawn(sandbox, command, args, options)` on the default manager. */
export function spawn(
  sandbox: Sandbox,
  command: string,
  args: readonly string[] = [],
  options: SpawnOptions = {},
): Promise<SandboxProcess> {
  return defaultSandboxManager().spawn(sandbox, command, args, options);
}
/** `destroySandbox(sandbox)` on the default manager. */
export function destroySandbox(sandbox: Sandbox | string): Promise<void> {
  return defaultSandboxManager().destroySandbox(sandbox);
}
