import type { CommandRunner, CreateResult, ResolvedNamespace } from "@ns/core";
import { NsError, toNsError } from "@ns/types";
import { PF_CONF_HOOKS } from "./capabilities.ts";
import { anchorName, profileFileName, tokenFileName } from "./names.ts";
import { parseDefaultRoute } from "./pf-output.ts";
import { renderPfRules } from "./pf-rules.ts";
import type { PfDriver } from "./pfctl.ts";
import { safeIfName } from "./safe.ts";
import { renderSeatbeltProfile } from "./seatbelt.ts";
import type { StateFiles } from "./state-files.ts";

/** What the macOS backend stores with a record (JSON). */
export interface MacosData {
  mode: "full" | "private" | "shared";
  /** Seatbelt profile path (full, private). */
  profile?: string;
  /** Uplink the forwards and NAT use (private). */
  uplink?: string;
  /** Our pf anchor, when rules were loaded (private). */
  anchor?: string;
  /** pf enable reference taken with `pfctl -E`, released with `pfctl -X` on destroy. */
  pfToken?: string;
  /** pf was already on when we asked (never disabled by us in any case). */
  pfWasEnabled?: boolean;
  /** Whether the NAT rule was loaded (needs nat-anchor "ns/*"). */
  nat?: boolean;
}

/** What create needs from the backend. */
export interface CreateContext {
  runner: CommandRunner;
  pf: PfDriver;
  files: StateFiles;
  route: string;
  uplink?: string;
  /** Undoes a partial create (same steps as destroy). */
  undo(id: string, data: MacosData): Promise<void>;
}

function aborted(id: string): NsError {
  return new NsError("ERR_NS_ABORTED", `create of ${id} was aborted`, {
    hint: "nothing of it was left behind",
  });
}

async function defaultUplink(ctx: CreateContext): Promise<string> {
  const r = await ctx.runner.run(ctx.route, ["-n", "get", "default"], { allowFailure: true });
  const name = r.exitCode === 0 ? parseDefaultRoute(r.stdout) : undefined;
  if (!name)
    throw new NsError("ERR_NS_STATE", "the host has no default route to take the uplink from", {
      hint: "pass `uplink` (e.g. en0) in the config or the backend options",
      details: { stdout: r.stdout, stderr: r.stderr },
    });
  return name;
}

/** The error for forwards that pf would never evaluate. */
export function missingHookError(id: string): NsError {
  return new NsError(
    "ERR_NS_UNSUPPORTED",
    `pf would ignore the port forwards of ${id}: the main ruleset has no rdr-anchor "ns/*"`,
    {
      hint: `add ${PF_CONF_HOOKS.map((l) => `\`${l}\``).join(", ")} to /etc/pf.conf (ns never edits it) and reload with \`sudo pfctl -f /etc/pf.conf\``,
      details: { missing: ["rdr-anchor"], checkedWith: "pfctl -s nat" },
    },
  );
}

/**
 * Runs `steps` and undoes what they recorded in `data` when one fails or the signal aborts. The signal is
 * checked between steps and never handed to the runner: killing `pfctl -E` after it took a reference but
 * before it printed the token would leak a reference nobody could release.
 */
async function guarded(
  ctx: CreateContext,
  id: string,
  data: MacosData,
  signal: AbortSignal | undefined,
  steps: (() => Promise<void>)[],
): Promise<void> {
  const check = () => {
    if (signal?.aborted) throw aborted(id);
  };
  try {
    for (const step of steps) {
      check();
      await step();
    }
  } catch (e) {
    const err = toNsError(e);
    try {
      await ctx.undo(id, data);
    } catch (u) {
      err.details.rollbackFailure = toNsError(u).toJSON();
    }
    throw err;
  }
}

/** Creates a full-mode namespace: one Seatbelt profile. */
export async function createFull(
  ctx: CreateContext,
  id: string,
  signal?: AbortSignal,
): Promise<CreateResult> {
  const profile = renderSeatbeltProfile({ id, mode: "full" });
  const data: MacosData = { mode: "full" };
  await guarded(ctx, id, data, signal, [
    async () => {
      data.profile = await ctx.files.write(profileFileName(id), profile);
    },
  ]);
  return { data: { ...data }, handle: data.profile! };
}

/** Creates a private-mode namespace: a Seatbelt profile, then our pf anchor and an enable reference. */
export async function createPrivate(
  ctx: CreateContext,
  ns: ResolvedNamespace,
  id: string,
  signal?: AbortSignal,
): Promise<CreateResult> {
  const cfg = ns.config;
  const forwards = Array.isArray(cfg.portForwards) ? cfg.portForwards : [];
  const iface = ns.interface;
  const subnet = iface ? { ipAddr: iface.ipAddr, prefixLen: iface.prefixLen } : undefined;
  // Everything is rendered (and so validated) before the first command: the real uplink is not known yet.
  const profile = renderSeatbeltProfile({ id, mode: "private", portForwards: forwards });
  renderPfRules({ id, uplink: "lo0", portForwards: forwards, ...(subnet ? { nat: subnet } : {}) });
  const uplink = safeIfName(cfg.uplink ?? ctx.uplink ?? (await defaultUplink(ctx)));
  const hooks = await ctx.pf.hooks();
  if (forwards.length > 0 && !hooks.rdr) throw missingHookError(id);
  const nat = hooks.nat ? subnet : undefined;
  const rules = renderPfRules({ id, uplink, portForwards: forwards, ...(nat ? { nat } : {}) });
  const data: MacosData = { mode: "private", uplink, nat: nat !== undefined };
  await guarded(ctx, id, data, signal, [
    async () => {
      data.profile = await ctx.files.write(profileFileName(id), profile);
    },
    async () => {
      if (rules === undefined) return;
      data.anchor = anchorName(id);
      await ctx.pf.load(data.anchor, rules);
    },
    async () => {
      if (rules === undefined) return;
      const enabled = await ctx.pf.enable();
      data.pfWasEnabled = enabled.alreadyEnabled;
      if (enabled.token === undefined) return;
      data.pfToken = enabled.token;
      await ctx.files.write(tokenFileName(id), `${enabled.token}\n`);
    },
  ]);
  return { data: { ...data }, handle: data.profile!, uplink };
}
