import type { CommandResult, CommandRunner } from "@ns/core";
import { withLinuxHint } from "./errors.ts";
import { createNodeFileOps, type FileOps } from "./fs.ts";
import { netnsPath } from "./names.ts";

/**
 * Everything the backend asks of the kernel, in few round trips. The process implementation below spawns
 * ip/nft/conntrack through the injected runner; an in-process netlink driver could replace it without
 * touching any mode logic.
 */
export interface KernelDriver {
  /** Applies `ip` commands as one `ip -batch -` in the host, or inside a named netns via nsenter. */
  ipBatch(lines: readonly string[], options?: { netns?: string; force?: boolean }): Promise<CommandResult>;
  /** Runs one `ip -j ...` query (host or inside a netns) and parses its JSON. */
  ipJson(args: readonly string[], netns?: string): Promise<unknown>;
  /** Applies one nft script as a single transaction (`nft -f -`). */
  nft(script: string): Promise<void>;
  /** `nft -j list table ...` parsed, or undefined when the table does not exist. */
  nftListTable(family: string, table: string): Promise<unknown | undefined>;
  /** Deletes conntrack entries whose original destination port is `port` (0 entries is fine). */
  conntrackDelete(protocol: "tcp" | "udp", port: number): Promise<void>;
  /** Writes a sysctl of the current network namespace, e.g. `net/ipv4/ip_forward`. */
  writeSysctl(key: string, value: string): void;
  /** Reads a sysctl, or undefined when it does not exist. */
  readSysctl(key: string): string | undefined;
  /** Names of the links in the current network namespace (from /proc/net/dev, which, unlike /sys, follows the netns). */
  links(): string[];
  /** Whether one link exists in the current network namespace: O(1), unlike scanning links(). */
  linkExists(name: string): boolean;
  /** Whether a named netns exists. */
  netnsExists(name: string): boolean;
  /** Names of the named network namespaces. */
  netnsList(): string[];
  /** File operations (resolv.conf, markers, state). */
  readonly files: FileOps;
  /** Directory of named namespaces. */
  readonly netnsDir: string;
}

/** Options of the process driver. */
export interface ProcessDriverOptions {
  runner: CommandRunner;
  files?: FileOps;
  netnsDir: string;
}

/** Parses /proc/net/dev into link names. */
export function parseProcNetDev(text: string): string[] {
  return text
    .split("\n")
    .slice(2)
    .map((l) => l.split(":")[0]!.trim())
    .filter((n) => n.length > 0);
}

/** Whether /proc/net/nf_conntrack lists an entry of `protocol` whose original destination port is `port`. */
export function hasConntrackEntry(table: string, protocol: "tcp" | "udp", port: number): boolean {
  for (const line of table.split("\n")) {
    const fields = line.split(/\s+/);
    if (fields[2] !== protocol) continue;
    // The first dport= is the original direction's.
    if (fields.find((f) => f.startsWith("dport=")) === `dport=${port}`) return true;
  }
  return false;
}

/** The driver that runs ip, nft and conntrack as processes. */
export function createProcessDriver(options: ProcessDriverOptions): KernelDriver {
  const { runner, netnsDir } = options;
  const files = options.files ?? createNodeFileOps();
  // nsenter, not `ip -n`/`ip netns exec`: those copy the mount namespace and slow down with thousands of netns.
  const inNetns = (netns: string | undefined, cmd: string[]): [string, string[]] =>
    netns === undefined
      ? [cmd[0]!, cmd.slice(1)]
      : ["nsenter", [`--net=${netnsPath(netnsDir, netns)}`, "--", ...cmd]];
  return {
    files,
    netnsDir,
    async ipBatch(lines, o = {}) {
      const [cmd, args] = inNetns(o.netns, ["ip", ...(o.force ? ["-force"] : []), "-batch", "-"]);
      const input = `${lines.join("\n")}\n`;
      return runner.run(cmd, args, { input, allowFailure: o.force === true }).catch((e) => {
        throw withLinuxHint(e);
      });
    },
    async ipJson(args, netns) {
      const [cmd, a] = inNetns(netns, ["ip", "-j", ...args]);
      const r = await runner.run(cmd, a);
      return r.stdout.trim() === "" ? [] : JSON.parse(r.stdout);
    },
    async nft(script) {
      await runner.run("nft", ["-f", "-"], { input: script }).catch((e) => {
        throw withLinuxHint(e);
      });
    },
    async nftListTable(family, table) {
      const r = await runner.run("nft", ["-j", "list", "table", family, table], { allowFailure: true });
      if (r.exitCode !== 0) {
        if (/No such file or directory|does not exist/i.test(r.stderr)) return undefined;
        await runner.run("nft", ["-j", "list", "table", family, table]);
      }
      return r.stdout.trim() === "" ? undefined : JSON.parse(r.stdout);
    },
    async conntrackDelete(protocol, port) {
      // Reading the table is much cheaper than a process; without procfs support we always run conntrack.
      const table = files.read("/proc/net/nf_conntrack");
      if (table !== undefined && !hasConntrackEntry(table, protocol, port)) return;
      // Exit 1 with "0 flow entries have been deleted" is the normal case; a missing tool is tolerated too
      // (the forward works, only stale UDP entries survive): doctor() reports it.
      await runner
        .run("conntrack", ["-D", "-p", protocol, "--orig-port-dst", String(port)], { allowFailure: true })
        .catch(() => undefined);
    },
    writeSysctl(key, value) {
      files.write(`/proc/sys/${key}`, value);
    },
    readSysctl(key) {
      return files.read(`/proc/sys/${key}`)?.trim();
    },
    // /proc/sys/net follows the reader's netns (as /proc/net/dev does, and /sys does not): one stat per link.
    linkExists: (name) => files.exists(`/proc/sys/net/ipv4/conf/${name}`),
    links() {
      return parseProcNetDev(files.read("/proc/net/dev") ?? "");
    },
    netnsExists: (name) => files.exists(netnsPath(netnsDir, name)),
    netnsList: () => files.list(netnsDir),
  };
}
