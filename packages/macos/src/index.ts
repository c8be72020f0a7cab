import { type BackendFactoryOptions, createExecRunner, type NetworkBackend } from "@ns/core";
import { createMacosBackend, type MacosBackendOptions } from "./backend.ts";
import type { AnchorHooks } from "./pf-output.ts";
import { createPfDriver } from "./pfctl.ts";
import { type MacosProbeOptions, probeMacos } from "./probe.ts";

export type { MacosBackendOptions, MacosTools } from "./backend.ts";
export { createMacosBackend, defaultMacosStateDir } from "./backend.ts";
export { MACOS_CAPABILITIES, PF_CONF_HOOKS } from "./capabilities.ts";
export type { MacosData } from "./create.ts";
export { missingHookError } from "./create.ts";
export { ANCHOR_ROOT, anchorName } from "./names.ts";
export type { NetstatCounters } from "./netstat.ts";
export { parseNetstatInterface } from "./netstat.ts";
export type { AnchorHooks, EnableResult, PfInfo, PfInterfaceInfo } from "./pf-output.ts";
export {
  parseAnchorHooks,
  parseAnchorList,
  parseDefaultRoute,
  parseEnableOutput,
  parsePfInfo,
} from "./pf-output.ts";
export type { PfPlan } from "./pf-rules.ts";
export { pfRuleLines, renderPfRules } from "./pf-rules.ts";
export type { PfDriver } from "./pfctl.ts";
export { createPfDriver } from "./pfctl.ts";
export type { MacosProbeOptions } from "./probe.ts";
export { probeMacos } from "./probe.ts";
export type { SeatbeltSpec } from "./seatbelt.ts";
export { renderSeatbeltProfile } from "./seatbelt.ts";
export type { StateFiles } from "./state-files.ts";
export { createStateFiles } from "./state-files.ts";

/** Backend-module entry point, loaded by name by @ns/core (accepts every MacosBackendOptions field). */
export function createBackend(options?: MacosBackendOptions): NetworkBackend {
  return createMacosBackend(options);
}

/** Whether the macOS backend can run on this machine, and why not. */
export async function probe(options?: MacosProbeOptions): Promise<{ ok: boolean; reason: string }> {
  return probeMacos(options);
}

/** The pf main-ruleset hooks as a setup check: which `ns/*` anchors pf evaluates (`pfctl -s nat`, `-s rules`). */
export async function checkPfSetup(
  options: Pick<BackendFactoryOptions, "runner"> & { pfctl?: string } = {},
): Promise<AnchorHooks> {
  return createPfDriver(options.runner ?? createExecRunner(), options.pfctl).hooks(true);
}
