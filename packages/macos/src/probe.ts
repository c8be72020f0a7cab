import { type BackendFactoryOptions, type HostFacts, readHostFacts } from "@ns/core";

/** Options of probe: host facts are injectable so that the decision is testable on any OS. */
export interface MacosProbeOptions extends BackendFactoryOptions {
  /** Facts about this machine (default: read them). */
  facts?: HostFacts;
}

/** Whether the macOS backend can run here: darwin, root, sandbox-exec and pfctl on PATH. */
export async function probeMacos(options: MacosProbeOptions = {}): Promise<{ ok: boolean; reason: string }> {
  const facts = options.facts ?? readHostFacts();
  if (facts.platform !== "darwin")
    return { ok: false, reason: `the macos backend needs macOS (darwin); this is ${facts.platform}` };
  if (facts.uid !== 0)
    return {
      ok: false,
      reason: "the macos backend needs root: pfctl opens /dev/pf, which only root may use",
    };
  const missing = ["sandbox-exec", "pfctl"].filter((t) => !facts.has(t));
  if (missing.length > 0)
    return {
      ok: false,
      reason: `${missing.join(" and ")} not found on PATH (they ship with macOS: /usr/bin, /sbin)`,
    };
  return { ok: true, reason: "macOS as root with sandbox-exec and pfctl" };
}
