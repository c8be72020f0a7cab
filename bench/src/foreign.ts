import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exec, which } from "./proc.ts";
import { type Collector, compare, type Profile, type Row } from "./result.ts";
import { FORWARD } from "./scripts.ts";
import { summarize, timed } from "./stats.ts";

const SECTION = "other tools";
const NETAVARK = "/usr/lib/podman/netavark";
const CNI_PATH = "/usr/lib/cni";
const hex64 = (seed: string) => seed.padEnd(64, "0").slice(0, 64);

/** Network options for `netavark setup`: one bridge network, one TCP port mapping, no DNS. */
function netavarkOptions(i: number): string {
  const netId = hex64("6e737874");
  return JSON.stringify({
    container_id: hex64(`c0${i.toString(16)}`),
    container_name: `nsxt-bench-${i}`,
    port_mappings: [
      { host_ip: "", container_port: FORWARD.nsPort, host_port: FORWARD.hostPort, range: 1, protocol: "tcp" },
    ],
    networks: { nsxtbench: { static_ips: ["10.197.0.2"], interface_name: "eth0" } },
    network_info: {
      nsxtbench: {
        name: "nsxtbench",
        id: netId,
        driver: "bridge",
        network_interface: "nsxtnv0",
        subnets: [{ subnet: "10.197.0.0/24", gateway: "10.197.0.1" }],
        ipv6_enabled: false,
        internal: false,
        dns_enabled: false,
        ipam_options: { driver: "host-local" },
      },
    },
  });
}

/** The bridge + portmap conflist, run by hand the way a container runtime does. */
function cniPlugins(dataDir: string) {
  return [
    {
      type: "bridge",
      bridge: "nsxtcni0",
      isGateway: true,
      ipMasq: true,
      hairpinMode: true,
      ipam: { type: "host-local", ranges: [[{ subnet: "10.198.0.0/24" }]], dataDir },
    },
    { type: "portmap", capabilities: { portMappings: true }, snat: true },
  ];
}

async function cni(command: "ADD" | "DEL", i: number, dataDir: string, prev: unknown[]): Promise<unknown[]> {
  const plugins = cniPlugins(dataDir);
  const order = command === "ADD" ? plugins : [...plugins].reverse();
  const results: unknown[] = [];
  let prevResult: unknown = command === "DEL" ? prev[prev.length - 1] : undefined;
  for (const plugin of order) {
    const conf: Record<string, unknown> = { cniVersion: "1.0.0", name: "nsxtbench", ...plugin };
    if (prevResult !== undefined) conf.prevResult = prevResult;
    if (plugin.type === "portmap")
      conf.runtimeConfig = {
        portMappings: [{ hostPort: FORWARD.hostPort, containerPort: FORWARD.nsPort, protocol: "tcp" }],
      };
    const r = await exec(`${CNI_PATH}/${plugin.type}`, [], {
      input: JSON.stringify(conf),
      env: {
        CNI_COMMAND: command,
        CNI_CONTAINERID: `nsxtbench${i}`,
        CNI_NETNS: `/run/netns/cn${i}`,
        CNI_IFNAME: "eth0",
        CNI_PATH,
      },
    });
    if (command === "ADD") {
      prevResult = JSON.parse(r.stdout);
      results.push(prevResult);
    }
  }
  return results;
}

/**
 * Times `runs` create/destroy pairs after one warm-up pair (numbered 0, not kept); `prepare` runs untimed first.
 */
async function timePairs(
  runs: number,
  create: (k: number) => Promise<void>,
  destroy: (k: number) => Promise<void>,
  prepare?: (k: number) => void,
): Promise<{ create: number[]; destroy: number[] }> {
  const out = { create: [] as number[], destroy: [] as number[] };
  for (let k = 0; k <= runs; k++) {
    prepare?.(k);
    const cr = await timed(() => create(k));
    const dr = await timed(() => destroy(k));
    if (k > 0) {
      out.create.push(cr);
      out.destroy.push(dr);
    }
  }
  return out;
}

/** netavark and the CNI bridge+portmap plugins, driven directly with their JSON, when installed. */
export async function runForeign(
  c: Collector,
  p: Profile,
  batchedCreate?: Row,
  batchedDestroy?: Row,
): Promise<void> {
  // One latency row of another tool, as a ratio of the batched script's row for the same step.
  const addRow = (name: string, samples: number[], baseline: Row | undefined) =>
    c.add(compare({ section: SECTION, name, unit: "ms", summary: summarize(samples) }, baseline));
  const runs = p.slowRuns;
  if (which(NETAVARK)) {
    const dir = mkdtempSync(join(tmpdir(), "nsxt-bench-netavark-"));
    try {
      const opts = join(dir, "opts.json");
      const ns = (k: number) => `/run/netns/nv${k}`;
      // netavark configures a namespace the runtime made: the runtime's `ip netns add` is counted too.
      const { create, destroy } = await timePairs(
        runs,
        async (k) => {
          await exec("ip", ["netns", "add", `nv${k}`]);
          await exec(NETAVARK, ["--config", dir, "--file", opts, "setup", ns(k)]);
        },
        async (k) => {
          await exec(NETAVARK, ["--config", dir, "--file", opts, "teardown", ns(k)]);
          await exec("ip", ["netns", "del", `nv${k}`]);
        },
        (k) => writeFileSync(opts, netavarkOptions(k)),
      );
      addRow("netavark 1.4 setup (+ip netns add), bridge + 1 port", create, batchedCreate);
      addRow("netavark 1.4 teardown (+ip netns del)", destroy, batchedDestroy);
    } catch (e) {
      c.note(`netavark: failed: ${(e as Error).message}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else c.note("netavark: not installed (run bench/setup.sh); skipped");

  if (which(`${CNI_PATH}/bridge`) && which(`${CNI_PATH}/portmap`)) {
    const dataDir = mkdtempSync(join(tmpdir(), "nsxt-bench-cni-"));
    try {
      let res: unknown[] = [];
      const { create, destroy } = await timePairs(
        runs,
        async (k) => {
          await exec("ip", ["netns", "add", `cn${k}`]);
          res = await cni("ADD", k, dataDir, []);
        },
        async (k) => {
          await cni("DEL", k, dataDir, res);
          await exec("ip", ["netns", "del", `cn${k}`]);
        },
      );
      addRow("CNI bridge+portmap ADD (+ip netns add)", create, batchedCreate);
      addRow("CNI bridge+portmap DEL (+ip netns del)", destroy, batchedDestroy);
    } catch (e) {
      c.note(`CNI plugins: failed: ${(e as Error).message}`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  } else c.note("CNI plugins: not installed (run bench/setup.sh); skipped");
}
