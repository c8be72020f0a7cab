import { spawn } from "node:child_process";
import { existsSync, rmdirSync } from "node:fs";
import { exec } from "./proc.ts";

/** Addresses of the fake host (the bench's own network namespace) and its upstream test namespace. */
export const FAKE = {
  /** Uplink of the fake host; the backend NATs out of it. */
  uplink: "uplink0",
  /** Address of the fake host on the uplink (TEST-NET-2, never routed anywhere real). */
  hostAddr: "198.51.100.2",
  /** Address of the upstream test namespace, which stands for the internet. */
  upstreamAddr: "198.51.100.1",
  prefix: 24,
  /** Named namespace of the upstream, in the bench's private /run/netns. */
  upstreamNs: "nsxt-bench-up",
} as const;

/** Directories that get a private tmpfs inside the fake host: named netns, ns state, resolv.conf copies. */
const PRIVATE_DIRS = ["/run/netns", "/run/ns", "/etc/netns"];

function rmdirSafe(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {}
}

/** Path of the upstream namespace. */
export const upstreamPath = `/run/netns/${FAKE.upstreamNs}`;

/** Prefix that runs a command in the upstream namespace. */
export const inUpstream = (cmd: string[]): [string, string[]] => [
  "nsenter",
  [`--net=${upstreamPath}`, "--", ...cmd],
];

/**
 * Re-runs this program inside a throwaway fake host: new network, mount and pid namespaces, with a
 * private tmpfs on /run/netns. Every kernel object the bench makes (named namespaces, links, nft
 * tables) lives in there, so it is gone when the last process of the pid namespace exits, even on
 * SIGKILL. The host never sees a namespace, link or table of ours, and we never hold one of its.
 */
export function runInFakeHost(argv: readonly string[]): Promise<number> {
  // Private tmpfs over the directories where named namespaces, ns state and resolv.conf copies live,
  // and a sysfs of our own netns (sysfs shows the links of the netns that mounted it).
  // The copied mount table holds every named netns of the host (nsfs mounts); dropping them in our
  // private copy at once keeps us from pinning other tools' namespaces (and their links) alive.
  const boot = [
    'findmnt -rn -t nsfs -o TARGET | while read -r t; do umount -l "$t" || true; done',
    "mount -t sysfs sysfs /sys",
    `for d in ${PRIVATE_DIRS.join(" ")}; do mkdir -p $d && mount -t tmpfs -o mode=755 nsxt-bench $d || exit 1; done`,
    // Temp files (backend state dirs, the CLI's state) live in the private tmpfs too: gone on SIGKILL.
    "mkdir -p /run/ns/bench-tmp",
    "export TMPDIR=/run/ns/bench-tmp",
    'exec "$@"',
  ].join(" && ");
  const missing = PRIVATE_DIRS.filter((d) => !existsSync(d));
  const child = spawn(
    "unshare",
    [
      "--net",
      "--mount",
      "--pid",
      "--fork",
      "--mount-proc",
      "--propagation",
      "private",
      "--kill-child=SIGTERM",
      "--",
      "sh",
      "-c",
      boot,
      "sh",
      ...argv,
    ],
    { stdio: "inherit" },
  );
  // unshare ignores SIGINT/SIGTERM while it waits; killing it makes the kernel send SIGTERM to the
  // bench inside (--kill-child), whose handler cleans up and exits.
  const forward = () => {
    child.kill("SIGKILL");
  };
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  process.on("SIGHUP", forward);
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      // The mount points made for the private tmpfs mounts; removed only when we made them and empty.
      for (const d of missing) rmdirSafe(d);
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      process.off("SIGHUP", forward);
      resolve(code ?? (signal ? 128 : 1));
    });
    child.on("error", () => resolve(1));
  });
}

/** Builds the fake host's network inside the namespace we were started in: lo, uplink0, upstream. */
export async function setupFakeHost(): Promise<void> {
  const ns = FAKE.upstreamNs;
  await exec("ip", ["-batch", "-"], {
    input: [
      "link set lo up",
      `netns add ${ns}`,
      `link add ${FAKE.uplink} type veth peer name eth0 netns ${ns}`,
      `addr add ${FAKE.hostAddr}/${FAKE.prefix} dev ${FAKE.uplink}`,
      `link set ${FAKE.uplink} up`,
      `route add default via ${FAKE.upstreamAddr}`,
      "",
    ].join("\n"),
  });
  await exec("ip", ["-n", ns, "-batch", "-"], {
    input: [
      "link set lo up",
      `addr add ${FAKE.upstreamAddr}/${FAKE.prefix} dev eth0`,
      "link set eth0 up",
      "",
    ].join("\n"),
  });
  // A fresh namespace does not forward; every candidate (backend, scripts, netavark, CNI) needs it,
  // so it is on for all of them alike. It dies with the namespace: nothing to restore.
  await exec("sysctl", ["-qw", "net.ipv4.ip_forward=1"]);
}

/** Sanity check that we really are not in the host's network namespace: eth0 must not be visible. */
export async function assertIsolated(): Promise<void> {
  const r = await exec("ip", ["-o", "link", "show"]);
  if (/\d+: eth0[:@]/.test(r.stdout))
    throw new Error("bench: eth0 is visible, refusing to run kernel measurements outside a fake host");
}

/** Removes the upstream namespace (the rest dies with the fake host itself). */
export async function teardownFakeHost(): Promise<void> {
  await exec("ip", ["netns", "del", FAKE.upstreamNs], { allowFailure: true });
}
