import type { BackendFactoryOptions, NetworkBackend } from "@ns/core";
import { createSimulationBackend } from "./backend.ts";

export { createSimulationBackend } from "./backend.ts";
export type { Endpoint, Probe } from "./reachability.ts";
export { canReach, forwardOwner } from "./reachability.ts";

/** Backend-module entry point, loaded by name by @ns/core. */
export function createBackend(options?: BackendFactoryOptions): NetworkBackend {
  return createSimulationBackend(options);
}

/** The simulation runs everywhere. */
export async function probe(): Promise<{ ok: boolean; reason: string }> {
  return { ok: true, reason: "the simulation needs nothing from the OS" };
}
