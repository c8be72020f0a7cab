import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import type { Candidate } from "./interleave.ts";
import { interleaveCalls } from "./interleave.ts";
import { exec, sh } from "./proc.ts";
import type { Collector, Profile } from "./result.ts";
import { baselineSlot, batchedCreate, batchedDestroy, perStepCreate, perStepDestroy } from "./scripts.ts";
import { summarize } from "./stats.ts";
import type { Probeable } from "./usable.ts";

/** Section of the baseline rows. */
export const BASELINES = "baselines";

/** Spawns a program and waits for its exit, with nothing captured (the cheapest spawn Node has). */
export function spawnWait(
  command: string,
  args: readonly string[] = [],
  env?: NodeJS.ProcessEnv,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(command, args, { stdio: "ignore", ...(env ? { env } : {}) });
    c.on("error", reject);
    c.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
  });
}

/** Plain process starts: what any tool that spawns pays (unshare only with the kernel). */
export async function runSpawnBaselines(c: Collector, p: Profile, kernel: boolean): Promise<void> {
  const fns = [() => spawnWait("/bin/true")];
  if (kernel) fns.push(() => spawnWait("unshare", ["-n", "true"]));
  const [t, u] = await interleaveCalls(p.runs, fns);
  c.add({ section: BASELINES, name: "node spawn /bin/true", unit: "ms", summary: summarize(t!) });
  if (u) c.add({ section: BASELINES, name: "unshare -n true", unit: "ms", summary: summarize(u) });
}

const slot = (i: number, prefix: string) => baselineSlot(i < 0 ? 16000 + i : i, prefix);

/** `ip netns add` + lo up, and `ip netns del`: the kernel floor of a full namespace, two spawns. */
export const bareNetns: Candidate = {
  name: "ip netns add + lo up / ip netns del",
  async create(i) {
    const s = slot(i, "bn");
    await exec("ip", ["netns", "add", s.ns]);
    await exec("ip", ["-n", s.ns, "link", "set", "lo", "up"]);
  },
  destroy: (i) => exec("ip", ["netns", "del", slot(i, "bn").ns]),
};

/** The floor for a full namespace with one process: unshare bind-mounts the netns and execs ip inside it. */
export const unshareNetns: Candidate = {
  name: "unshare --net=/run/netns/X ip link set lo up (1 spawn) / ip netns del",
  async create(i) {
    const s = slot(i, "bu");
    // ip netns add has already made /run/netns a shared mount point; unshare needs the file to exist.
    writeFileSync(`/run/netns/${s.ns}`, "");
    await exec("unshare", [`--net=/run/netns/${s.ns}`, "ip", "link", "set", "lo", "up"]);
  },
  destroy: (i) => exec("ip", ["netns", "del", slot(i, "bu").ns]),
};

/** The backend's private+forward work as a batched shell script (3 calls) and its teardown (2 calls). */
export const batchedScript: Candidate = {
  name: "script batched: private+fwd",
  create: (i) => sh(batchedCreate(i < 0 ? 16000 + i : i)),
  destroy: (i) => sh(batchedDestroy(i < 0 ? 16000 + i : i)),
};

/** The same work with one ip/nft call per step (18 calls) and per object teardown (3 calls). */
export const perStepScript: Candidate = {
  name: "script per-step: private+fwd",
  create: (i) => sh(perStepCreate(i < 0 ? 16100 + i : i + 5000)),
  destroy: (i) => sh(perStepDestroy(i < 0 ? 16100 + i : i + 5000)),
};

/** The batched script as a usable-time candidate (create, then a server inside, then a probe). */
export function batchedProbeable(i: number): { create(): Promise<Probeable>; destroy(): Promise<void> } {
  const k = 10000 + i;
  const s = baselineSlot(k);
  return {
    async create() {
      await sh(batchedCreate(k));
      return { enter: ["nsenter", `--net=/run/netns/${s.ns}`, "--"], nsAddr: s.addr };
    },
    async destroy() {
      await sh(batchedDestroy(k));
    },
  };
}
