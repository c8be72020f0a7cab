import {
  type BackendFactoryOptions,
  type CommandRunner,
  chooseBackend,
  createExecRunner,
  readHostFacts,
} from "@ns/core";
import { createNodeFileOps, type FileOps } from "./fs.ts";
import { tryCreateInprocDriver } from "./inproc/index.ts";
import { DEFAULT_NETNS_DIR, NFT_FAMILY, NFT_TABLE } from "./names.ts";

/** One observation about the host that matters to the Linux backend. */
export interface Finding {
  /** ok: fine; info: worth knowing; warn: some guarantee may not hold; error: the backend cannot work. */
  level: "ok" | "info" | "warn" | "error";
  /** Stable short code, e.g. foreign-forward-drop. */
  code: string;
  /** What was found. */
  message: string;
  /** What to do about it. */
  hint?: string;
}

/** Whether the Linux backend can run here, and why not. */
export async function probeLinux(
  _options: BackendFactoryOptions = {},
): Promise<{ ok: boolean; reason: string }> {
  if (process.platform !== "linux") return { ok: false, reason: `not Linux (${process.platform})` };
  const choice = chooseBackend("auto", {}, readHostFacts());
  return { ok: choice.name === "linux", reason: choice.reason };
}

interface NftChainJson {
  chain?: { family?: string; table?: string; name?: string; hook?: string; policy?: string };
}

/** Chains of other tables that drop forwarded traffic by policy: our accept cannot override them (moby#39439). */
export function foreignForwardDrops(rulesetJson: unknown): string[] {
  const items = ((rulesetJson as { nftables?: NftChainJson[] })?.nftables ?? []) as NftChainJson[];
  return items
    .map((i) => i.chain)
    .filter((c) => c && c.hook === "forward" && c.policy === "drop")
    .filter((c) => !(c!.family === NFT_FAMILY && c!.table === NFT_TABLE))
    .map((c) => `${c!.family} ${c!.table} ${c!.name}`);
}

/** Inspects the host: tools, forwarding, br_netfilter, and foreign firewall policies that defeat ours. */
export async function doctor(options: { runner?: CommandRunner; files?: FileOps } = {}): Promise<Finding[]> {
  const runner = options.runner ?? createExecRunner();
  const files = options.files ?? createNodeFileOps();
  const facts = readHostFacts();
  const out: Finding[] = [];
  for (const [tool, pkg] of [
    ["ip", "iproute2"],
    ["nft", "nftables"],
    ["nsenter", "util-linux"],
    ["unshare", "util-linux"],
    ["conntrack", "conntrack"],
  ] as const) {
    if (facts.has(tool)) continue;
    const optional = tool === "conntrack";
    out.push({
      level: optional ? "warn" : "error",
      code: `missing-${tool}`,
      message: optional
        ? "conntrack is missing: stale UDP entries of a removed forward are not flushed"
        : `${tool} is missing`,
      hint: `apt-get install ${pkg}`,
    });
  }
  const inproc = tryCreateInprocDriver({ runner, netnsDir: DEFAULT_NETNS_DIR });
  out.push(
    inproc.driver
      ? { level: "ok", code: "kernel-driver", message: `kernel changes applied in-process: ${inproc.reason}` }
      : {
          level: "info",
          code: "kernel-driver",
          message: `kernel changes applied by ip/nft processes (slower): ${inproc.reason}`,
          hint: "install the optional dependency koffi and Debian's libnftables1 for ~5x faster creates",
        },
  );
  if ((!inproc.driver || process.env.NS_LINUX_DRIVER === "process") && !facts.has("flock"))
    out.push({
      level: "error",
      code: "missing-flock",
      message: "flock is missing: the process driver takes the cross-process host lock with it",
      hint: "apt-get install util-linux",
    });
  const fwd = files.read("/proc/sys/net/ipv4/ip_forward")?.trim();
  out.push({
    level: "info",
    code: "ip-forward",
    message: `net.ipv4.ip_forward=${fwd ?? "?"} (set to 1 while a private namespace exists, restored after)`,
  });
  if (files.exists("/proc/sys/net/bridge/bridge-nf-call-iptables"))
    out.push({
      level: "info",
      code: "br-netfilter",
      message:
        "br_netfilter is loaded: bridged frames traverse the inet forward hook (our rules allow bridge-internal traffic)",
    });
  const r = await runner.run("nft", ["-j", "list", "ruleset"], { allowFailure: true }).catch(() => undefined);
  if (r && r.exitCode === 0) {
    const drops = foreignForwardDrops(JSON.parse(r.stdout || "{}"));
    for (const c of drops)
      out.push({
        level: "warn",
        code: "foreign-forward-drop",
        message: `chain ${c} drops forwarded traffic by policy: private namespaces may get no NAT and no port forwards`,
        hint: "accept traffic of nsv* interfaces in that table (e.g. Docker: iptables -I DOCKER-USER -i nsv+ -j ACCEPT and -o nsv+)",
      });
    if (drops.length === 0)
      out.push({
        level: "ok",
        code: "forward-policy",
        message: "no other nft table drops forwarded traffic by policy",
      });
  } else {
    out.push({
      level: "warn",
      code: "nft-unreadable",
      message: "could not list the nft ruleset",
      hint: "run as root",
    });
  }
  return out;
}
