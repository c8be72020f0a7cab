import { type CommandResult, classifyFailure, commandError } from "@ns/core";
import { NsError, type NsErrorCode } from "@ns/types";
import { createProcessDriver, type KernelDriver, type ProcessDriverOptions } from "../driver.ts";
import { withLinuxHint } from "../errors.ts";
import { netnsPath } from "../names.ts";
import { applyOp, type OpContext } from "./apply-ops.ts";
import { type IpOp, parseIpBatch } from "./ip-lines.ts";
import type { LibC, LibNftables } from "./libc.ts";
import { isSharedMount, type NetnsSwitcher, SysError } from "./netns-ops.ts";
import { openRtnl, type RtnlSocket } from "./rtnl-socket.ts";

/** Options of the in-process driver: those of the process driver, which it delegates to. */
export interface InprocDriverOptions extends ProcessDriverOptions {
  /** Driver for everything done out of process (default: a process driver on the same runner). */
  fallback?: KernelDriver;
}

/** Counts of what went where (tests and `doctor` can tell whether the fast path is used). */
export interface InprocStats {
  inprocBatches: number;
  delegatedBatches: number;
  inprocNft: number;
}

/** The in-process driver plus its counters. */
export interface InprocDriver extends KernelDriver {
  readonly stats: InprocStats;
}

const NFT_CTX_OUTPUT_JSON = 1 << 4;

const ERRNO_NAMES: Record<number, string> = { 1: "EPERM", 13: "EACCES", 17: "EEXIST" }; // what classifyFailure knows

/** The code and hint the process driver's stderr classification gives for the same failure (one place: core). */
export function errnoCode(errno: number): { code: NsErrorCode; hint: string } {
  const stderr = ERRNO_NAMES[errno] ?? `errno ${errno}`;
  return classifyFailure({ command: "ip", args: ["-batch", "-"], exitCode: 1, stdout: "", stderr });
}

function ipError(e: SysError, line: string, netns: string | undefined): NsError {
  const { code, hint } = errnoCode(e.errno);
  const where = netns === undefined ? "" : ` in netns ${netns}`;
  return new NsError(code, `ip ${line}${where} failed: ${e.message}`, {
    hint,
    cause: e,
    details: { command: "ip", args: ["-batch", "-"], line, errno: e.errno, stderr: e.message, netns },
  });
}

/** Builds the driver from loaded bindings (index.ts does the loading and the checks). */
export function buildInprocDriver(
  native: {
    libc: LibC;
    nft: LibNftables;
    switcher: NetnsSwitcher;
    /** Whether a dir is a shared mount point (default: from /proc/self/mountinfo). */
    sharedMount?: (dir: string) => boolean;
  },
  options: InprocDriverOptions,
): InprocDriver {
  const { libc, nft, switcher } = native;
  const sharedMount = native.sharedMount ?? isSharedMount;
  const { netnsDir } = options;
  const fallback = options.fallback ?? createProcessDriver(options);
  const stats: InprocStats = { inprocBatches: 0, delegatedBatches: 0, inprocNft: 0 };
  let hostSocket: RtnlSocket | undefined;
  let sharedDir = false;

  const checkUsable = () => {
    const broken = switcher.broken();
    if (broken)
      throw new NsError("ERR_NS_INTERNAL", `in-process kernel driver unusable: ${broken}`, {
        hint: "restart the process; the main thread may sit in another network namespace",
      });
  };
  // The process driver handles what we do not: unknown lines, netns ops inside a netns, and the first
  // `netns add` while the netns dir is not yet a shared mount (`ip` sets that up).
  const inprocable = (ops: IpOp[], netns: string | undefined): boolean => {
    const netnsOps = ops.some((o) => o.kind === "netns-add" || o.kind === "netns-del");
    if (netnsOps && netns !== undefined) return false;
    if (ops.some((o) => o.kind === "netns-add") && !sharedDir) sharedDir = sharedMount(netnsDir);
    return sharedDir || !ops.some((o) => o.kind === "netns-add");
  };

  const runOps = async (
    ops: IpOp[],
    lines: string[],
    o: { netns?: string; force?: boolean },
  ): Promise<CommandResult> => {
    const args = [...(o.force ? ["-force"] : []), "-batch", "-"];
    const path = o.netns === undefined ? undefined : netnsPath(netnsDir, o.netns);
    // A socket belongs to the netns it was opened in: only its opening needs the thread switched.
    const open = () => (path === undefined ? openRtnl(libc) : switcher.within(path, () => openRtnl(libc)));
    let nsSocket: RtnlSocket | undefined;
    const ctx: OpContext = {
      switcher,
      netnsDir,
      socket: () => {
        if (path === undefined) {
          hostSocket ??= openRtnl(libc);
          return hostSocket;
        }
        nsSocket ??= open();
        return nsSocket;
      },
      freshSocket: open,
      indexes: new Map(),
    };
    const errors: string[] = [];
    try {
      for (const [i, op] of ops.entries()) {
        try {
          await applyOp(ctx, op);
        } catch (e) {
          if (!(e instanceof SysError)) throw e;
          if (!o.force) throw withLinuxHint(ipError(e, lines[i]!, o.netns));
          errors.push(`${e.message}\nCommand failed -:${i + 1}`);
        }
      }
    } finally {
      nsSocket?.close();
    }
    return {
      command: "ip",
      args,
      exitCode: errors.length > 0 ? 1 : 0,
      stdout: "",
      stderr: errors.length > 0 ? `${errors.join("\n")}\n` : "",
    };
  };

  // Own context per call, run on the threadpool: a transaction that deletes elements waits for a kernel grace
  // period, which must not block the event loop.
  const runNft = async (script: string, json: boolean): Promise<{ rc: number; out: string; err: string }> => {
    const ctx = nft.ctxNew(0);
    if (!ctx) throw new NsError("ERR_NS_INTERNAL", "nft_ctx_new failed");
    try {
      nft.bufferOutput(ctx);
      nft.bufferError(ctx);
      if (json) nft.setOutputFlags(ctx, NFT_CTX_OUTPUT_JSON);
      const rc = await nft.runCmdAsync(ctx, script);
      return { rc, out: nft.outputBuffer(ctx) ?? "", err: nft.errorBuffer(ctx) ?? "" };
    } finally {
      nft.ctxFree(ctx);
    }
  };

  return {
    // Everything not overridden below (conntrack, sysctls, link and netns listing, and whatever the interface
    // gains later) is the fallback's.
    ...fallback,
    files: fallback.files,
    netnsDir,
    stats,
    async ipBatch(lines, o = {}) {
      checkUsable();
      const ops = parseIpBatch(lines);
      if (!ops || !inprocable(ops, o.netns)) {
        stats.delegatedBatches++;
        return fallback.ipBatch(lines, o);
      }
      stats.inprocBatches++;
      const nonBlank = lines.filter((l) => l.trim() !== "");
      return runOps(ops, nonBlank, o);
    },
    async nft(script) {
      checkUsable();
      stats.inprocNft++;
      const r = await runNft(script, false);
      if (r.rc !== 0)
        throw withLinuxHint(
          commandError({ command: "nft", args: ["-f", "-"], exitCode: 1, stdout: r.out, stderr: r.err }),
        );
    },
    async nftListTable(family, table) {
      checkUsable();
      const r = await runNft(`list table ${family} ${table}`, true);
      if (r.rc !== 0) {
        if (/No such file or directory|does not exist/i.test(r.err)) return undefined;
        throw withLinuxHint(
          commandError({
            command: "nft",
            args: ["-j", "list", "table", family, table],
            exitCode: 1,
            stdout: r.out,
            stderr: r.err,
          }),
        );
      }
      return r.out.trim() === "" ? undefined : JSON.parse(r.out);
    },
  };
}
