import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { processAlive } from "@ns/core";
import { createNodeFileOps } from "../fs.ts";
import { netnsIdOfPath } from "../host-netns.ts";
import { listMarkers, removeMarker } from "../markers.ts";

const FS = createNodeFileOps();

import { DEFAULT_NETNS_DIR, DEFAULT_STATE_DIR, etcNetnsDir, hostStateDir, NETNS_PREFIX } from "../names.ts";

/** Prefix of the harness's own namespaces (fake host and upstream). */
export const FAKE_HOST_PREFIX = "nsxt-";
/** Uplink of the fake host, as seen inside it. */
export const FAKE_UPLINK = "uplink0";
/** Address of the fake host on its uplink (TEST-NET-3, never routed on the internet). */
export const FAKE_HOST_ADDR = "203.0.113.2";
/** Address of the upstream namespace (the fake host's default gateway). */
export const FAKE_UPSTREAM_ADDR = "203.0.113.1";
/** The cloud metadata address, answered inside the upstream namespace. */
export const FAKE_METADATA_ADDR = "169.254.169.254";

/** A throwaway host: a network namespace whose only way out is a veth to an "upstream" namespace. */
export interface FakeHost {
  /** Named netns standing for the host. */
  name: string;
  /** Named netns standing for the internet. */
  upstream: string;
  /** Identity (inode) of the fake host's netns, as recorded in our markers. */
  netnsId: string;
  /** Environment for processes run inside (NS_TEST_*). */
  env: Record<string, string>;
}

function ip(args: string[], input?: string): void {
  const r = spawnSync("ip", args, { input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")} failed: ${r.stderr || r.error?.message}`);
}

function inNs(ns: string, batch: string[]): void {
  const r = spawnSync("nsenter", [`--net=${DEFAULT_NETNS_DIR}/${ns}`, "--", "ip", "-batch", "-"], {
    input: `${batch.join("\n")}\n`,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`ip -batch in ${ns} failed: ${r.stderr || r.error?.message}`);
}

function netnsNames(): string[] {
  try {
    return readdirSync(DEFAULT_NETNS_DIR);
  } catch {
    return [];
  }
}

/** Removes the backend namespaces (and their files) that were created from inside the given fake host. */
function removeBackendLeftovers(netnsId: string, stateDir: string): string[] {
  const removed: string[] = [];
  for (const m of listMarkers(FS, stateDir, netnsId)) {
    if (!m.netns.startsWith(NETNS_PREFIX)) continue;
    if (existsSync(`${DEFAULT_NETNS_DIR}/${m.netns}`)) {
      spawnSync("ip", ["netns", "del", m.netns]);
      removed.push(m.netns);
    }
    rmSync(etcNetnsDir(m.netns), { recursive: true, force: true });
    removeMarker(FS, stateDir, m.netns);
  }
  rmSync(hostStateDir(stateDir, netnsId), { recursive: true, force: true });
  return removed;
}

/** Deletes fake hosts of earlier runs whose harness process is gone (never one of a live run). */
export function removeStaleFakeHosts(stateDir = DEFAULT_STATE_DIR): string[] {
  const removed: string[] = [];
  for (const n of netnsNames()) {
    const m = /^nsxt-(host|up)-(\d+)$/.exec(n);
    if (!m || processAlive(Number(m[2]))) continue;
    const id = netnsIdOfPath(`${DEFAULT_NETNS_DIR}/${n}`);
    if (m[1] === "host" && id !== undefined) removed.push(...removeBackendLeftovers(id, stateDir));
    spawnSync("ip", ["netns", "del", n]);
    removed.push(n);
  }
  return removed;
}

/** Creates the fake host and its upstream (uplink0 <-> eth0, metadata address upstream); `ownerPid` must stay alive while it is in use: stale cleanup removes fake hosts of dead pids. */
export function createFakeHost(ownerPid: number = process.pid): FakeHost {
  const name = `${FAKE_HOST_PREFIX}host-${ownerPid}`;
  const upstream = `${FAKE_HOST_PREFIX}up-${ownerPid}`;
  const made: string[] = [];
  try {
    for (const n of [name, upstream]) {
      ip(["netns", "add", n]);
      made.push(n);
    }
    // Created directly inside the two namespaces: the real host never sees these links, not even briefly.
    ip([
      "link",
      "add",
      FAKE_UPLINK,
      "netns",
      name,
      "type",
      "veth",
      "peer",
      "name",
      "eth0",
      "netns",
      upstream,
    ]);
    inNs(upstream, [
      "link set lo up",
      `addr add ${FAKE_METADATA_ADDR}/32 dev lo`,
      `addr add ${FAKE_UPSTREAM_ADDR}/24 dev eth0`,
      "link set eth0 up",
    ]);
    inNs(name, [
      "link set lo up",
      `addr add ${FAKE_HOST_ADDR}/24 dev ${FAKE_UPLINK}`,
      `link set ${FAKE_UPLINK} up`,
      `route add default via ${FAKE_UPSTREAM_ADDR}`,
      `route add 169.254.0.0/16 via ${FAKE_UPSTREAM_ADDR}`,
    ]);
  } catch (e) {
    for (const n of made) spawnSync("ip", ["netns", "del", n]);
    throw e;
  }
  const netnsId = netnsIdOfPath(`${DEFAULT_NETNS_DIR}/${name}`)!;
  return {
    name,
    upstream,
    netnsId,
    env: {
      NS_TEST_FAKEHOST: name,
      NS_TEST_UPSTREAM_NS: upstream,
      NS_TEST_UPLINK: FAKE_UPLINK,
      NS_TEST_HOST_ADDR: FAKE_HOST_ADDR,
      NS_TEST_UPSTREAM_ADDR: FAKE_UPSTREAM_ADDR,
      NS_TEST_METADATA_ADDR: FAKE_METADATA_ADDR,
    },
  };
}

/** Deletes the fake host, its upstream and every backend namespace created from inside it; returns what it removed. */
export function destroyFakeHost(host: FakeHost, stateDir = DEFAULT_STATE_DIR): string[] {
  const removed = removeBackendLeftovers(host.netnsId, stateDir);
  for (const n of [host.name, host.upstream]) {
    if (!existsSync(`${DEFAULT_NETNS_DIR}/${n}`)) continue;
    spawnSync("ip", ["netns", "del", n]);
    removed.push(n);
  }
  return removed;
}

/**
 * sysfs shows the devices of the netns that mounted it, so inside the fake host /sys/class/net would show the
 * real host's links. The child gets its own mount namespace with a fresh sysfs; /sys is made a slave first so the
 * new mount never propagates to the host, while /run/netns stays shared (named namespaces stay machine-wide).
 */
function withOwnSysfs(command: string[]): string[] {
  const script = 'mount --make-rslave /sys && mount -t sysfs sysfs /sys && exec "$@"';
  return ["unshare", "--mount", "--propagation", "unchanged", "--", "sh", "-c", script, "sh", ...command];
}

/** Runs `command` inside a fresh fake host (via nsenter, so named namespaces stay visible machine-wide) and cleans up always; resolves to its exit code. */
export async function runInFakeHost(
  command: string[],
  options: { stateDir?: string; log?: (line: string) => void } = {},
): Promise<number> {
  const log = options.log ?? ((l: string) => process.stderr.write(`[fake-host] ${l}\n`));
  const stale = removeStaleFakeHosts(options.stateDir);
  if (stale.length > 0) log(`removed leftovers of earlier runs: ${stale.join(", ")}`);
  const host = createFakeHost();
  log(`running in ${host.name} (upstream ${host.upstream})`);
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  const handlers = new Map<NodeJS.Signals, () => void>();
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(
        "nsenter",
        [`--net=${DEFAULT_NETNS_DIR}/${host.name}`, "--", ...withOwnSysfs(command)],
        {
          stdio: "inherit",
          env: { ...process.env, ...host.env },
        },
      );
      for (const s of signals) {
        const h = () => child.kill(s);
        handlers.set(s, h);
        process.on(s, h);
      }
      child.on("error", reject);
      child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
    });
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
    const removed = destroyFakeHost(host, options.stateDir);
    // Unmarked nsx-* namespaces made during the run are deliberately left alone: names are machine-wide and
    // other runs (or tools) may have made them meanwhile; everything our backend makes carries a marker.
    log(`removed ${removed.join(", ")}`);
  }
}
