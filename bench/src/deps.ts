// The packages by name; run with `--conditions=source` so that they (and their imports of each other)
// resolve to sources: one copy of each, no build needed for the library rows.
export type {
  CommandRunner,
  NamespaceManager,
  NetworkBackend,
  RunOptions,
} from "@ns/core";
export {
  createExecRunner,
  createMemoryStore,
  createNamespaceManager,
  createRecordingRunner,
} from "@ns/core";
export { createSimulationBackend } from "@ns/simulation";
export { NamespaceConfig } from "@ns/types";

import type { BackendFactoryOptions, CommandRunner, NetworkBackend } from "@ns/core";

/** Factory of the Linux backend, typed loosely: its options may grow beyond BackendFactoryOptions. */
export type LinuxFactory = (options: BackendFactoryOptions & Record<string, unknown>) => NetworkBackend;

/** Loads @ns/linux from its sources; undefined plus the reason when it is not there (yet). */
export async function loadLinux(): Promise<{ factory?: LinuxFactory; reason?: string }> {
  const path = "@ns/linux";
  try {
    const mod = (await import(path)) as { createLinuxBackend?: LinuxFactory };
    if (typeof mod.createLinuxBackend !== "function")
      return { reason: "@ns/linux does not export createLinuxBackend" };
    return { factory: mod.createLinuxBackend };
  } catch (e) {
    return { reason: `@ns/linux could not be loaded: ${(e as Error).message.split("\n")[0]}` };
  }
}

/** What tryCreateInprocDriver returns: a driver, or why there is none. */
export type InprocFactory = (options: { runner: CommandRunner; netnsDir: string }) => {
  driver?: unknown;
  reason: string;
};

/** Loads @ns/linux's in-process kernel driver factory, when the package has one. */
export async function loadInproc(): Promise<{ create?: InprocFactory; reason?: string }> {
  const path = "../../packages/linux/src/inproc/index.ts";
  try {
    const mod = (await import(path)) as { tryCreateInprocDriver?: InprocFactory };
    if (typeof mod.tryCreateInprocDriver !== "function") return { reason: "no tryCreateInprocDriver export" };
    return { create: mod.tryCreateInprocDriver };
  } catch (e) {
    return { reason: `could not be loaded: ${(e as Error).message.split("\n")[0]}` };
  }
}
