import {
  createRecordingRunner,
  type FakeResponse,
  type RecordedCommand,
  type RecordingRunner,
} from "@ns/core/testing";
import { checkPfRules } from "./pf-check.ts";
import * as S from "./samples.ts";

/** How `pfctl -E` answers. */
export type EnableStyle = "fresh" | "already-with-token" | "already-error" | "no-token";

/** Knobs of the fake Mac. */
export interface FakeMacOptions {
  /** Hooks in the main ruleset (default: all of ours). */
  hooks?: { nat: boolean; rdr: boolean; filter: boolean };
  /** pf enabled by someone else before us (the system, another tool). */
  enabledByOthers?: boolean;
  /** How `pfctl -E` behaves (default: fresh token, "pf already enabled" when pf was on). */
  enableStyle?: EnableStyle;
  /** Default route interface (null: no default route). */
  defaultUplink?: string | null;
}

/** The fake's state, open for assertions. */
export interface FakePfState {
  anchors: Map<string, string>;
  tokens: Set<string>;
  enabledByOthers: boolean;
  hooks: { nat: boolean; rdr: boolean; filter: boolean };
}

/** A fake Mac: a recording runner with a small stateful pf, route and netstat behind it. */
export interface FakeMac {
  runner: RecordingRunner;
  pf: FakePfState;
  /** Makes matching commands fail (or answer differently) while `times` lasts (default: always). */
  failWhen(match: (c: RecordedCommand) => boolean, response: FakeResponse, times?: number): void;
  /** The pfctl calls only, rendered as lines. */
  pfctlLines(): string[];
}

const isPf = (c: RecordedCommand, ...args: string[]) =>
  c.command === "pfctl" && c.args.join(" ") === args.join(" ");

/** Creates a fake Mac. */
export function createFakeMac(options: FakeMacOptions = {}): FakeMac {
  const pf: FakePfState = {
    anchors: new Map(),
    tokens: new Set(),
    enabledByOthers: options.enabledByOthers ?? false,
    hooks: options.hooks ?? { nat: true, rdr: true, filter: true },
  };
  const failures: { match: (c: RecordedCommand) => boolean; response: FakeResponse; times: number }[] = [];
  let next = 6_988_729_328_174_473_903n;
  const enabled = () => pf.enabledByOthers || pf.tokens.size > 0;

  const pfctl = (c: RecordedCommand): FakeResponse => {
    const a = c.args;
    if (isPf(c, "-s", "nat"))
      return { stdout: pf.hooks.nat || pf.hooks.rdr ? hooksNat(pf.hooks) : S.STOCK_NAT, stderr: S.ALTQ };
    if (isPf(c, "-s", "rules"))
      return { stdout: pf.hooks.filter ? S.HOOKED_RULES : S.STOCK_RULES, stderr: S.ALTQ };
    if (isPf(c, "-s", "info")) return { stdout: enabled() ? S.PF_INFO_EN0 : S.PF_INFO_DISABLED };
    if (isPf(c, "-a", "ns", "-s", "Anchors")) {
      if (pf.anchors.size === 0) return { exitCode: 1, stderr: "pfctl: DIOCGETRULESETS: Invalid argument\n" };
      return {
        stdout: [...pf.anchors.keys()]
          .sort()
          .map((k) => `  ${k}\n`)
          .join(""),
      };
    }
    if (a[0] === "-a" && a[2] === "-f" && a[3] === "-" && a.length === 4) {
      const problems = checkPfRules(c.input ?? "");
      if (problems.length > 0)
        return {
          exitCode: 1,
          stderr: `${S.ALTQ}stdin:${problems[0]}\npfctl: Syntax error in config file: pf rules not loaded\n`,
        };
      pf.anchors.set(a[1]!, c.input ?? "");
      return { stderr: S.ALTQ };
    }
    if (a[0] === "-a" && a[2] === "-F" && a[3] === "all" && a.length === 4) {
      pf.anchors.delete(a[1]!);
      return { stderr: `${S.ALTQ}rules cleared\nnat cleared\n0 tables deleted.\n` };
    }
    if (isPf(c, "-E")) {
      const style = options.enableStyle ?? "fresh";
      const was = enabled();
      if (style === "already-error" && was) return { exitCode: 1, stderr: "pfctl: pf already enabled\n" };
      const token = String(next++);
      pf.tokens.add(token);
      if (style === "no-token") return { stderr: `${S.ALTQ}pf enabled\n` };
      return { stderr: was ? S.enableAlreadyOutput(token) : S.enableOutput(token) };
    }
    if (a[0] === "-X" && a.length === 2) {
      if (!pf.tokens.delete(a[1]!)) return { exitCode: 1, stderr: "pfctl: DIOCSTOPREF: Invalid argument\n" };
      return { stderr: enabled() ? "" : "pf disabled\n" };
    }
    return { exitCode: 1, stderr: `pfctl: fake does not know ${a.join(" ")}\n` };
  };

  const runner = createRecordingRunner((c) => {
    const f = failures.find((x) => x.times > 0 && x.match(c));
    if (f) {
      f.times--;
      return f.response;
    }
    if (c.command === "pfctl") return pfctl(c);
    if (c.command === "route" && c.args.join(" ") === "-n get default") {
      const up = options.defaultUplink === undefined ? "en0" : options.defaultUplink;
      if (up === null) return { exitCode: 1, stderr: "route: writing to routing socket: not in table\n" };
      return { stdout: S.ROUTE_DEFAULT.replace("interface: en0", `interface: ${up}`) };
    }
    if (c.command === "netstat" && c.args[0] === "-I") {
      if (c.args[1] === "en0") return { stdout: S.NETSTAT_EN0 };
      if (c.args[1] === "lo0") return { stdout: S.NETSTAT_LO0 };
      return { exitCode: 1, stderr: `netstat: ${c.args[1]}: no such interface\n` };
    }
    return { exitCode: -1, stderr: `spawn ${c.command} ENOENT` };
  });

  return {
    runner,
    pf,
    failWhen(match, response, times = Number.POSITIVE_INFINITY) {
      failures.push({ match, response, times });
    },
    pfctlLines: () => runner.lines().filter((l) => l.startsWith("pfctl ")),
  };
}

function hooksNat(h: { nat: boolean; rdr: boolean }): string {
  return S.STOCK_NAT + (h.nat ? 'nat-anchor "ns/*" all\n' : "") + (h.rdr ? 'rdr-anchor "ns/*" all\n' : "");
}
