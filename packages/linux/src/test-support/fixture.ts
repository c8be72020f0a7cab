import { createNamespaceManager, type NamespaceManager } from "@ns/core";
import { afterEach, beforeEach } from "vitest";
import { createLinuxBackend } from "../backend.ts";
import type { KernelTestEnv } from "../testing/kernel.ts";
import type { TestServers } from "../testing/probe.ts";

/** A manager on the real Linux backend per test; destroys every namespace and stops every server afterwards. */
export function useKernelManager(env: KernelTestEnv): {
  manager: () => NamespaceManager;
  track: (s: TestServers) => TestServers;
} {
  let manager: NamespaceManager;
  const servers: TestServers[] = [];
  beforeEach(() => {
    manager = createNamespaceManager({ backend: createLinuxBackend({ uplink: env.uplink }) });
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    for (const ns of await manager.list()) await manager.destroy(ns.id);
    await manager.close();
  });
  return {
    manager: () => manager,
    track: (s) => {
      servers.push(s);
      return s;
    },
  };
}
