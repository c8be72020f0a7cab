import { type CommandResult, type CommandRunner, commandError } from "@ns/core";
import { NsError } from "@ns/types";
import { ANCHOR_ROOT } from "./names.ts";
import {
  type AnchorHooks,
  type EnableResult,
  type PfInfo,
  parseAnchorHooks,
  parseAnchorList,
  parseEnableOutput,
  parsePfInfo,
} from "./pf-output.ts";
import { safeToken } from "./safe.ts";

/** The pfctl operations the backend needs; every one goes through the injected runner. */
export interface PfDriver {
  /** Which `ns/*` hooks the main ruleset has (`pfctl -s nat`, plus `pfctl -s rules` when `filter` is asked). */
  hooks(filter?: boolean): Promise<AnchorHooks>;
  /** Replaces an anchor's rules: `pfctl -a <anchor> -f -` with the rules on stdin. */
  load(anchor: string, rules: string): Promise<void>;
  /** Empties an anchor (pf then drops it): `pfctl -a <anchor> -F all`; an absent anchor is fine. */
  flush(anchor: string): Promise<void>;
  /** Takes an enable reference: `pfctl -E`, token parsed from "Token : N". */
  enable(): Promise<EnableResult>;
  /** Returns a reference: `pfctl -X <token>`; a token pf no longer knows counts as released. */
  release(token: string): Promise<void>;
  /** Anchors below `ns` (`pfctl -a ns -s Anchors`), as `ns/<id>`. */
  anchors(): Promise<string[]>;
  /** `pfctl -s info`. */
  info(): Promise<PfInfo>;
}

/** The text a pfctl invocation printed: pfctl writes its messages to stderr. */
const textOf = (r: CommandResult) => `${r.stdout}\n${r.stderr}`;

const PERMISSION_HINT = "pfctl opens /dev/pf, which only root may use: run ns as root (sudo)";
const ALREADY_ENABLED = /pf already enabled/i;
const ABSENT_ANCHOR = /does not exist|No such file or directory|Invalid argument|anchor.*not found/i;
const UNKNOWN_TOKEN = /Invalid argument|No such process|not found|unknown token|ESRCH|invalid token/i;

/** A failed pfctl run as an NsError with macOS hints (permission, missing tool). */
export function pfError(result: CommandResult): NsError {
  const base = commandError(result);
  const hint =
    base.code === "ERR_NS_PERMISSION"
      ? PERMISSION_HINT
      : base.code === "ERR_NS_TOOL_MISSING"
        ? "pfctl ships with macOS as /sbin/pfctl; put /sbin on PATH"
        : base.hint;
  return new NsError(base.code, base.message, { hint, cause: base, details: base.details });
}

/** Creates the pf driver around a runner. */
export function createPfDriver(runner: CommandRunner, pfctl = "pfctl"): PfDriver {
  const run = (args: string[], input?: string) =>
    runner.run(pfctl, args, input === undefined ? { allowFailure: true } : { input, allowFailure: true });
  const must = async (args: string[], input?: string) => {
    const r = await run(args, input);
    if (r.exitCode !== 0) throw pfError(r);
    return r;
  };
  return {
    async hooks(filter = false) {
      const nat = await must(["-s", "nat"]);
      const rules = filter ? await must(["-s", "rules"]) : undefined;
      return parseAnchorHooks(nat.stdout, rules?.stdout ?? "");
    },
    async load(anchor, rules) {
      await must(["-a", anchor, "-f", "-"], rules);
    },
    async flush(anchor) {
      const r = await run(["-a", anchor, "-F", "all"]);
      if (r.exitCode !== 0 && !(ABSENT_ANCHOR.test(r.stderr) && !/Permission denied/i.test(r.stderr)))
        throw pfError(r);
    },
    async enable() {
      const r = await run(["-E"]);
      const parsed = parseEnableOutput(textOf(r));
      // Some pfctl builds refuse with "pf already enabled" instead of taking a reference: pf is on, we hold no
      // token, and destroy must leave pf alone.
      if (r.exitCode !== 0 && !ALREADY_ENABLED.test(r.stderr)) throw pfError(r);
      return parsed;
    },
    async release(token) {
      const r = await run(["-X", safeToken(token)]);
      if (r.exitCode !== 0 && !(UNKNOWN_TOKEN.test(r.stderr) && !/Permission denied/i.test(r.stderr)))
        throw pfError(r);
    },
    async anchors() {
      const r = await run(["-a", ANCHOR_ROOT, "-s", "Anchors"]);
      if (r.exitCode !== 0) {
        if (ABSENT_ANCHOR.test(r.stderr) && !/Permission denied/i.test(r.stderr)) return [];
        throw pfError(r);
      }
      return parseAnchorList(r.stdout);
    },
    async info() {
      return parsePfInfo((await must(["-s", "info"])).stdout);
    },
  };
}
