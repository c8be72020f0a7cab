/**
 * The isolation matrix: for every ordered pair of endpoints and each of TCP, UDP and ICMP, what the kernel does
 * must equal the model, `canReach` of @ns/simulation (docs/modes.md). Ordered pairs cover both directions.
 *
 * Choices:
 * - `canReach` is imported by relative path (../../simulation/src/reachability.ts): @ns/simulation is not a
 *   dependency of @ns/linux and must not become one (dependencies flow types <- core <- backends).
 * - Endpoints: full, private A and B (uplink NS_TEST_UPLINK), bridged X1 and X2 (one bridge), bridged Y1
 *   (another bridge), a shared namespace, the fake host itself (this process runs inside it: enter prefix []),
 *   and the upstream test namespace.
 * - Every endpoint runs a TCP and a UDP server answering `<endpoint> <peer>`: a reply counts only when it comes
 *   from the endpoint probed, so a NAT or forward delivering elsewhere fails the test (shown as `?`).
 * - host and shared are one stack: their servers use distinct ports, both on the host's uplink address.
 *   Private sources probe the host (and shared) also on every private gateway address, which are host
 *   addresses too; other sources have no route to those, so they probe the uplink address only.
 * - full has no address but loopback: probing 127.0.0.1 from elsewhere would hit the prober's own loopback, so
 *   full is unreachable by construction (cells `-`, counted as blocked and still compared with the model).
 *   Instead the test checks that `ip -o link` inside full shows only lo, and probes from full to every other
 *   endpoint (full -> full uses its own 127.0.0.1).
 * - Probes run concurrently, every source at once, with ~1 s timeouts. A probe the model allows that timed out
 *   is retried once with a 3 s timeout (a loaded machine can delay an answer; it cannot fake one), so only a
 *   disagreement that survives the retry fails the test.
 * - Four runs, each on fresh namespaces: bridge-nf-call-iptables 1 and 0 (per netns: only the fake host's
 *   value changes, and it is restored), each once as created and once with "hostile routes" planted (bridged
 *   members route via the host, the host routes into the bridges, upstream routes to every namespace), so that
 *   every blocked cell is held by our nft rules and not merely by a missing route.
 * - No port forwards here: forward.kernel.test.ts covers them.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createNamespaceManager, type NamespaceManager } from "@ns/core";
import { NamespaceConfig, type NamespaceInfo } from "@ns/types";
import { afterAll, expect, it } from "vitest";
import { canReach, type Endpoint } from "../../simulation/src/reachability.ts";
import { createLinuxBackend } from "./backend.ts";
import { bridgeName, DEFAULT_NETNS_DIR, netnsName, vethName } from "./names.ts";
import { describeKernel } from "./testing/kernel.ts";
import { type MatrixResult, runMatrix } from "./testing/matrix-run.ts";
import { describeDisagreement, disagrees, renderMatrix } from "./testing/matrix-table.ts";
import { netnsPrefix, startServers, type TestServers } from "./testing/probe.ts";

const BRIDGES = ["mx-x", "mx-y"];
/** Ports of the servers in every separate stack; host and shared share one stack and get their own. */
const PORTS = { default: [7700, 7701], host: [7710, 7711], shared: [7720, 7721] } as const;
const TIMEOUT = 1000;
const RETRY_TIMEOUT = 3000;

interface MatrixEndpoint {
  name: string;
  model: Endpoint;
  prefix: string[];
  tcpPort: number;
  udpPort: number;
  info?: NamespaceInfo;
}

/** Link names inside a namespace, from `ip -o link` run through its enter prefix. */
function linksOf(prefix: readonly string[]): (string | undefined)[] {
  const out = execFileSync(prefix[0]!, [...prefix.slice(1), "ip", "-o", "link"], { encoding: "utf8" });
  return out
    .trim()
    .split("\n")
    .map((l) => l.split(":")[1]?.trim());
}

describeKernel("isolation matrix on the kernel", (env) => {
  const manager: NamespaceManager = createNamespaceManager({
    backend: createLinuxBackend({ uplink: env.uplink }),
  });
  const servers: TestServers[] = [];
  const created: NamespaceInfo[] = [];
  /** Routes planted in the upstream namespace, which outlives this file: removed by cleanup. */
  const upstreamRoutes: string[] = [];
  const inUpstream = (args: string[]) =>
    execFileSync("nsenter", [`--net=${DEFAULT_NETNS_DIR}/${env.upstreamNs}`, "--", ...args], {
      encoding: "utf8",
      stdio: "pipe",
    });

  async function cleanup(): Promise<string[]> {
    const failures: string[] = [];
    for (const s of servers.splice(0)) await s.stop().catch((e) => failures.push(String(e)));
    for (const r of upstreamRoutes.splice(0)) {
      try {
        inUpstream(["ip", "route", "del", r]);
      } catch (e) {
        failures.push(`route ${r} in upstream: ${(e as Error).message}`);
      }
    }
    for (const ns of await manager.list())
      await manager.destroy(ns.id).catch((e) => failures.push(`destroy ${ns.id}: ${e}`));
    return failures;
  }
  afterAll(async () => {
    await cleanup();
    await manager.close();
  });

  /** What of ours is still there: servers, netns, links, nft elements. */
  function leftovers(pids: number[]): string[] {
    const left: string[] = [];
    for (const pid of pids) {
      try {
        process.kill(pid, 0);
        left.push(`server pid ${pid}`);
      } catch {}
    }
    const links = execFileSync("ip", ["-o", "link"], { encoding: "utf8" });
    const routes = `${execFileSync("ip", ["route"], { encoding: "utf8" })}${inUpstream(["ip", "route"])}`;
    let nft = "";
    try {
      nft = execFileSync("nft", ["list", "table", "inet", "nsx"], { encoding: "utf8", stdio: "pipe" });
    } catch {} // no table: nothing of ours in it
    for (const ns of created) {
      if (existsSync(`${DEFAULT_NETNS_DIR}/${netnsName(ns.id)}`)) left.push(`netns ${netnsName(ns.id)}`);
      if (ns.mode === "shared") continue;
      const veth = vethName(ns.id);
      if (links.includes(veth)) left.push(`link ${veth}`);
      if (nft.includes(veth)) left.push(`nft element ${veth}`);
      const addr = ns.interface?.ipAddr;
      const word = addr === undefined ? undefined : new RegExp(`\\b${addr.replaceAll(".", "\\.")}\\b`);
      if (word?.test(nft)) left.push(`nft element ${addr}`);
      if (word?.test(routes)) left.push(`route to ${addr}`);
    }
    for (const b of BRIDGES.map(bridgeName)) {
      if (links.includes(b)) left.push(`bridge ${b}`);
      if (nft.includes(b)) left.push(`nft element ${b}`);
    }
    return left;
  }

  async function createAll(): Promise<Record<string, NamespaceInfo>> {
    const configs: [string, NamespaceConfig][] = [
      ["full", NamespaceConfig.fullIsolation()],
      ["privA", NamespaceConfig.privateNetwork(undefined, { uplink: env.uplink })],
      ["privB", NamespaceConfig.privateNetwork(undefined, { uplink: env.uplink })],
      ["brX1", NamespaceConfig.bridged(undefined, BRIDGES[0]!)],
      ["brX2", NamespaceConfig.bridged(undefined, BRIDGES[0]!)],
      ["brY1", NamespaceConfig.bridged(undefined, BRIDGES[1]!)],
      ["shared", NamespaceConfig.shared()],
    ];
    // allSettled: cleanup must not start while a create is still running.
    const results = await Promise.allSettled(
      configs.map(async ([name, c]) => {
        const info = await manager.create(c);
        created.push(info);
        return [name, info] as const;
      }),
    );
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return Object.fromEntries(
      results.map((r) => (r as PromiseFulfilledResult<[string, NamespaceInfo]>).value),
    );
  }

  /** The nine endpoints: our namespaces (made through the manager), the fake host and upstream. */
  async function endpoints(): Promise<MatrixEndpoint[]> {
    const eps: MatrixEndpoint[] = [];
    for (const [name, info] of Object.entries(await createAll())) {
      const [tcpPort, udpPort] = name === "shared" ? PORTS.shared : PORTS.default;
      const { prefix } = await manager.enter(info.id);
      eps.push({ name, model: { kind: "namespace", ns: info }, prefix, tcpPort, udpPort, info });
    }
    // The header's assumptions: full is entered through nsenter, shared is this stack.
    expect(eps.find((e) => e.name === "full")!.prefix.length).toBeGreaterThan(0);
    expect(eps.find((e) => e.name === "shared")!.prefix).toEqual([]);
    const [hostTcp, hostUdp] = PORTS.host;
    const [upTcp, upUdp] = PORTS.default;
    eps.push({ name: "host", model: { kind: "host" }, prefix: [], tcpPort: hostTcp, udpPort: hostUdp });
    const up = netnsPrefix(env.upstreamNs);
    eps.push({ name: "upstream", model: { kind: "upstream" }, prefix: up, tcpPort: upTcp, udpPort: upUdp });
    return eps;
  }

  /**
   * Routes a root user could add, so that blocked cells rest on our nft rules and not on a missing route:
   * bridged members route everything to the host's uplink address (on-link: the host answers ARP for it on
   * the bridge), the host routes each bridged address into its bridge, upstream routes every namespace address
   * to the host.
   */
  function plantRoutes(eps: readonly MatrixEndpoint[]): void {
    for (const { info, prefix } of eps) {
      if (!info?.interface) continue;
      const addr = `${info.interface.ipAddr}/32`;
      if (info.mode === "bridged") {
        const dev = info.interface.name;
        const route = ["ip", "route", "add", "default", "via", env.hostAddr, "dev", dev, "onlink"];
        execFileSync(prefix[0]!, [...prefix.slice(1), ...route], { stdio: "pipe" });
        execFileSync("ip", ["route", "add", addr, "dev", bridgeName(info.bridge!)], { stdio: "pipe" });
      }
      inUpstream(["ip", "route", "add", addr, "via", env.hostAddr]);
      upstreamRoutes.push(addr);
    }
  }

  const BR_NF = "/proc/sys/net/bridge/bridge-nf-call-iptables";
  // Bridged rules must hold whether bridged frames traverse the IP hooks or not (LINUX-PITFALLS.md); the
  // sysctl is per network namespace, so this only touches the fake host.
  const brnfValues = existsSync(BR_NF) ? ["1", "0"] : [undefined];
  const variants = [false, true].flatMap((planted) => brnfValues.map((brnf) => ({ brnf, planted })));

  for (const { brnf, planted } of variants) {
    const settings = [
      ...(brnf === undefined ? [] : [`bridge-nf-call-iptables=${brnf}`]),
      ...(planted ? ["hostile routes"] : []),
    ];
    const title = settings.length === 0 ? "" : ` (${settings.join(", ")})`;
    it(`matches canReach for every ordered pair, over TCP, UDP and ICMP${title}`, {
      timeout: 120_000,
    }, async () => {
      const before = brnf === undefined ? undefined : readFileSync(BR_NF, "utf8").trim();
      if (brnf !== undefined) writeFileSync(BR_NF, brnf);
      const started = Date.now();
      const pids: number[] = [];
      let result: MatrixResult | undefined;
      let cleanupProblems: string[] = [];
      try {
        const eps = await endpoints();
        const serverStarts = await Promise.allSettled(
          eps.map(async (e) => {
            const s = await startServers(e.prefix, e.tcpPort, e.udpPort, e.name);
            servers.push(s);
            pids.push(s.pid);
          }),
        );
        const failed = serverStarts.find((r) => r.status === "rejected");
        if (failed) throw (failed as PromiseRejectedResult).reason;
        expect(linksOf(eps.find((e) => e.name === "full")!.prefix)).toEqual(["lo"]);
        if (planted) plantRoutes(eps);

        const gateways = eps.flatMap((e) => (e.info?.mode === "private" ? [e.info.interface!.gateway!] : []));
        const models = eps.map((e) => e.model);
        result = await runMatrix({
          endpoints: eps,
          targets: (from, to) => {
            if (to.name === "full") return from.name === "full" ? ["127.0.0.1"] : [];
            if (to.name === "upstream") return [env.upstreamAddr];
            if (to.name === "host" || to.name === "shared")
              return from.info?.mode === "private" ? [env.hostAddr, ...gateways] : [env.hostAddr];
            return [to.info!.interface!.ipAddr];
          },
          model: (from, to, probe) => canReach(from.model, to.model, probe, models),
          timeoutMs: TIMEOUT,
          retryTimeoutMs: RETRY_TIMEOUT,
        });
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        console.log(
          `isolation matrix${title}: ${result.probes} probes, ${result.retried} retried, ${secs} s\n` +
            renderMatrix(
              eps.map((e) => e.name),
              result.observations,
            ),
        );
      } finally {
        // Collected, not asserted here: an assertion in finally would hide the error that got us here.
        cleanupProblems = [...(await cleanup()), ...leftovers(pids)];
        if (cleanupProblems.length > 0) console.error(`cleanup problems: ${cleanupProblems.join("; ")}`);
        if (before !== undefined) writeFileSync(BR_NF, before);
      }
      expect(cleanupProblems, "cleanup failures or leftovers").toEqual([]);
      const bad = result.observations.filter(disagrees).map(describeDisagreement);
      expect(bad, `the kernel disagrees with canReach:\n${bad.join("\n")}`).toEqual([]);
    });
  }
});
