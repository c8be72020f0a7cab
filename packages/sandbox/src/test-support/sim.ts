import { createNamespaceManager } from "@ns/core";
import { createSimulationBackend } from "@ns/simulation";
import { createSandboxManager, type SandboxManagerOptions } from "../sandbox-manager.ts";

/** A sandbox manager on a fresh simulation backend with an in-memory store. */
export function simSandboxes(options: SandboxManagerOptions = {}) {
  const namespaces = createNamespaceManager({ backend: createSimulationBackend() });
  return createSandboxManager({ namespaces, ...options });
}

/** Waits until `check` is true (polling), or fails after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
