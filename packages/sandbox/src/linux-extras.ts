import { existsSync } from "node:fs";

/** Facts that decide the Linux-only child prefix; injectable for tests. */
export interface ExtrasFacts {
  platform: NodeJS.Platform;
  uid: number;
  setpriv: string | undefined;
}

/** Reads the facts of this machine. */
export function readExtrasFacts(): ExtrasFacts {
  return {
    platform: process.platform,
    uid: typeof process.getuid === "function" ? process.getuid() : -1,
    setpriv: ["/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv"].find((p) => existsSync(p)),
  };
}

/**
 * `setpriv` options placed between the namespace prefix and the command: drop CAP_NET_RAW unless
 * the sandbox holds NetworkRaw (only root can, and only root has it to lose), and tie the child's
 * life to ours. Empty when neither applies or setpriv is missing.
 */
export function linuxExtras(
  facts: ExtrasFacts,
  want: { enforced: boolean; dropRaw: boolean; killWithParent: boolean },
): string[] {
  if (facts.platform !== "linux" || facts.setpriv === undefined) return [];
  const opts: string[] = [];
  if (want.enforced && want.dropRaw && facts.uid === 0) opts.push("--bounding-set", "-net_raw");
  if (want.killWithParent) opts.push("--pdeathsig", "KILL");
  return opts.length === 0 ? [] : [facts.setpriv, ...opts];
}
