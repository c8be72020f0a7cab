import type { CreateResult, ResolvedNamespace } from "@ns/core";
import { isNsError, NsError } from "@ns/types";
import type { BackendContext } from "./context.ts";
import { hostUpstreamServers, resolvConfPath, resolvConfText } from "./dns.ts";
import { enableForwarding } from "./forwarding.ts";
import { type NetnsMarker, readMarker, writeMarker } from "./markers.ts";
import { bridgeLockKey, bridgeName, netnsName, netnsPath, vethName } from "./names.ts";
import { planBridgedCreate } from "./plan-bridged.ts";
import { planFullCreate } from "./plan-full.ts";
import { planPrivateCreate } from "./plan-private.ts";
import type { KernelPlan } from "./plan-types.ts";
import { teardownNamespace } from "./teardown.ts";

function checkAbort(signal: AbortSignal | undefined, id: string): void {
  if (signal?.aborted) throw new NsError("ERR_NS_ABORTED", `create of ${id} was aborted`);
}

/** The host batch; a link or netns of our name left by a crash is removed and the batch retried once. */
async function hostBatch(ctx: BackendContext, m: NetnsMarker, lines: string[]): Promise<void> {
  try {
    await ctx.driver.ipBatch(lines);
  } catch (e) {
    if (!isNsError(e, "ERR_NS_NAME_IN_USE")) throw e;
    // The name hashes our id: such an object can only be a leftover of ours. A bridge that exists now was
    // made meanwhile by another process adding the first member: join it instead of creating it.
    const stale = [...(m.veth ? [`link del ${m.veth}`] : []), `netns del ${m.netns}`];
    await ctx.driver.ipBatch(stale, { force: true });
    const br = m.bridge;
    const bridgeNow = br !== undefined && ctx.driver.linkExists(br);
    const isBridgeLine = (l: string) =>
      br !== undefined && (l.startsWith(`link add ${br} `) || l.startsWith(`link set ${br} `));
    await ctx.driver.ipBatch(bridgeNow ? lines.filter((l) => !isBridgeLine(l)) : lines);
  }
}

async function apply(
  ctx: BackendContext,
  ns: ResolvedNamespace,
  m: NetnsMarker,
  plan: KernelPlan,
  signal?: AbortSignal,
) {
  const { driver } = ctx;
  const id = ns.config.id;
  await hostBatch(ctx, m, plan.hostBatch);
  checkAbort(signal, id);
  if (plan.nsBatch.length > 0) await driver.ipBatch(plan.nsBatch, { netns: m.netns });
  for (const [key, value] of plan.sysctls) driver.writeSysctl(key, value);
  checkAbort(signal, id);
  if (plan.nftElements.length > 0)
    await ctx.withLock("global", async () => {
      if (m.mode === "private") enableForwarding(driver, ctx.stateDir, ctx.hostNetns);
      await ctx.nft.add(plan.nftElements);
    });
  for (const c of plan.conntrack) await driver.conntrackDelete(c.protocol, c.port);
  if (m.mode === "private" || m.mode === "bridged") {
    const config = ns.config;
    const text =
      config.dnsServers.length > 0
        ? resolvConfText(config.dnsServers)
        : m.mode === "private"
          ? (() => {
              const up = hostUpstreamServers(driver.files);
              return resolvConfText(up.servers, up.search);
            })()
          : resolvConfText([]);
    driver.files.write(resolvConfPath(m.netns), text, { mkdir: true });
  }
}

async function planFor(
  ctx: BackendContext,
  ns: ResolvedNamespace,
  base: NetnsMarker,
): Promise<{ plan: KernelPlan; marker: NetnsMarker; result: Partial<CreateResult> }> {
  const { config } = ns;
  const id = config.id;
  if (config.mode === "full") return { plan: planFullCreate(id), marker: base, result: {} };
  const iface = ns.interface!;
  if (config.mode === "private") {
    const uplink = await ctx.resolveUplink(config.uplink ?? ctx.uplink);
    // A user-given interface keeps its MTU; an allocated one inherits the uplink's.
    const mtu = config.interface ? iface.mtu : uplink.mtu;
    const input = { id, iface: { ...iface, mtu }, mtu, uplink: uplink.name, forwards: config.portForwards };
    const plan = planPrivateCreate(input);
    const marker: NetnsMarker = {
      ...base,
      veth: vethName(id),
      uplink: uplink.name,
      iface: input.iface,
      forwards: [...config.portForwards],
      elements: plan.nftElements,
    };
    return { plan, marker, result: { uplink: uplink.name, mtu } };
  }
  const bridge = config.bridge!;
  const first = !ctx.driver.linkExists(bridgeName(bridge));
  const plan = planBridgedCreate({ id, bridge, iface, mtu: iface.mtu, firstOrLast: first });
  const marker: NetnsMarker = {
    ...base,
    veth: vethName(id),
    bridge: bridgeName(bridge),
    bridgeName: bridge,
    iface,
    elements: [],
  };
  return { plan, marker, result: { mtu: iface.mtu } };
}

/** Creates the kernel objects of a full, private or bridged namespace; on failure removes what it made. */
export async function createNamespace(
  ctx: BackendContext,
  ns: ResolvedNamespace,
  signal?: AbortSignal,
): Promise<CreateResult> {
  const { config } = ns;
  const netns = netnsName(config.id);
  checkAbort(signal, config.id);
  const previous = readMarker(ctx.driver.files, ctx.stateDir, netns);
  if (previous && previous.hostNetns !== ctx.hostNetns && ctx.driver.netnsExists(netns))
    throw new NsError("ERR_NS_NAME_IN_USE", `network namespace ${netns} belongs to another host namespace`, {
      hint: "use another namespace id",
      details: { netns },
    });
  const base: NetnsMarker = {
    id: config.id,
    mode: config.mode,
    hostNetns: ctx.hostNetns,
    owner: ctx.owner,
    netns,
  };
  const run = async () => {
    const { plan, marker, result } = await planFor(ctx, ns, base);
    // Written before any kernel object exists: a crash at any later point leaves something gc can find.
    writeMarker(ctx.driver.files, ctx.stateDir, marker);
    try {
      await apply(ctx, ns, marker, plan, signal);
    } catch (e) {
      await teardownNamespace(ctx, marker).catch(() => undefined);
      throw e;
    }
    const data: Record<string, unknown> = { netns, hostNetns: ctx.hostNetns };
    if (marker.veth) data.veth = marker.veth;
    if (marker.bridge) data.bridge = marker.bridge;
    if (marker.uplink) data.uplink = marker.uplink;
    return { data, handle: netnsPath(ctx.driver.netnsDir, netns), ...result } as CreateResult;
  };
  // One member at a time per bridge: whether the bridge exists is decided and acted on atomically.
  return config.mode === "bridged" ? ctx.withLock(bridgeLockKey(bridgeName(config.bridge!)), run) : run();
}
