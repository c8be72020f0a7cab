import { NsError, TeardownError, toNsError } from "@ns/types";
import { type BackendContext, pollUntil } from "./context.ts";
import { restoreForwarding } from "./forwarding.ts";
import { markerPath, type NetnsMarker, removeMarker, someMarker, writeMarker } from "./markers.ts";
import { etcNetnsDir } from "./names.ts";
import type { NftElement } from "./nft-table.ts";
import { bridgeElements } from "./plan-bridged.ts";

/** Whether another namespace of this host matches (stops at the first: teardown runs this per destroy). */
function anyOther(ctx: BackendContext, m: NetnsMarker, match: (o: NetnsMarker) => boolean): boolean {
  return someMarker(ctx.driver.files, ctx.stateDir, ctx.hostNetns, (o) => o.netns !== m.netns && match(o));
}

/** Objects of `m` that still exist in the kernel. */
export function remainingObjects(ctx: BackendContext, m: NetnsMarker, bridgeToo: boolean): string[] {
  const left: string[] = [];
  if (m.veth && ctx.driver.linkExists(m.veth)) left.push(`link ${m.veth}`);
  if (bridgeToo && m.bridge && ctx.driver.linkExists(m.bridge)) left.push(`link ${m.bridge}`);
  if (ctx.driver.netnsExists(m.netns)) left.push(`netns ${m.netns}`);
  return left;
}

/** Removes a namespace's nft elements (the table with the last user) and marks it destroying. */
async function removeRules(ctx: BackendContext, m: NetnsMarker, elements: NftElement[]): Promise<void> {
  await ctx.withLock("global", async () => {
    if (ctx.driver.files.exists(markerPath(ctx.stateDir, m.netns)))
      writeMarker(ctx.driver.files, ctx.stateDir, { ...m, destroying: true });
    // The last namespace that uses the table takes it along: one transaction instead of two.
    const others = anyOther(ctx, m, (o) => o.mode === "private" || o.mode === "bridged");
    await (others ? ctx.nft.remove(elements) : ctx.nft.dropTable());
    // Done: a later pass over this marker (the background rest, or gc) must not delete them again.
    if (ctx.driver.files.exists(markerPath(ctx.stateDir, m.netns)))
      writeMarker(ctx.driver.files, ctx.stateDir, { ...m, destroying: true, elements: [] });
  });
}

/** Deletes conntrack entries of the namespace's forwarded host ports: by host port (moby#53384), both protocols. */
async function flushConntrack(ctx: BackendContext, m: NetnsMarker): Promise<void> {
  const ports = [...new Set((m.forwards ?? []).map((f) => f.hostPort))];
  await Promise.all(
    ports.flatMap((p) => [ctx.driver.conntrackDelete("tcp", p), ctx.driver.conntrackDelete("udp", p)]),
  );
}

/**
 * First phase of a background destroy of a private namespace, without waiting for any kernel grace period:
 * a blackhole route for its address (so a forward still in the ruleset can never send traffic out of the
 * uplink once the veth is gone, netavark#1482), then the netns alone (the kernel drops the veth ~35 ms
 * later). Returns when nothing can reach the namespace; `settled` is the full teardown of the rest (rules,
 * conntrack, the veth, files, marker, sysctls, the blackhole), after which its address may be reused.
 */
export async function beginTeardown(
  ctx: BackendContext,
  m: NetnsMarker,
): Promise<{ settled: Promise<void> }> {
  const addr = m.iface?.ipAddr;
  if (m.mode !== "private" || addr === undefined) {
    await teardownNamespace(ctx, m);
    return { settled: Promise.resolve() };
  }
  const marked: NetnsMarker = { ...m, destroying: true, blackhole: addr };
  // The marker knows the route before the route exists (written even if it was missing): gc after a crash
  // removes the route, so a later namespace on this address is never blackholed.
  writeMarker(ctx.driver.files, ctx.stateDir, marked);
  try {
    await ctx.driver.ipBatch([`route replace blackhole ${addr}/32`, `netns del ${m.netns}`]);
  } catch (e) {
    throw new TeardownError(m.id, [toNsError(e)]);
  }
  // From the next turn of the event loop: the caller gets control back before any of the slow part starts.
  const settled = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
    teardownNamespace(ctx, marked),
  );
  settled.catch(() => undefined); // reported through the returned promise; never an unhandled rejection
  return { settled };
}

/**
 * Removes everything a namespace's marker describes, in reverse order of creation: nft elements (one
 * transaction; rules before links, netavark#1482), conntrack entries of its host ports, links and netns (one
 * batch; returns only once the kernel has really dropped them, so the address is never handed out while still
 * in use), then files, the marker, and shared state nobody needs any more. Idempotent; keeps going past
 * failed steps and throws TeardownError with all of them.
 */
export async function teardownNamespace(ctx: BackendContext, m: NetnsMarker): Promise<void> {
  const failures: NsError[] = [];
  const step = async (fn: () => Promise<void> | void) => {
    try {
      await fn();
    } catch (e) {
      failures.push(toNsError(e));
    }
  };
  const lastOfBridge =
    m.mode === "bridged" && m.bridge !== undefined && !anyOther(ctx, m, (o) => o.bridge === m.bridge);
  const elements: NftElement[] = [...(m.elements ?? [])];
  if (lastOfBridge && m.bridgeName !== undefined) elements.push(...bridgeElements(m.bridgeName));

  if (elements.length > 0) await step(() => removeRules(ctx, m, elements));
  await step(() => flushConntrack(ctx, m));
  await step(async () => {
    const lines: string[] = [];
    if (m.veth) lines.push(`link del ${m.veth}`);
    if (lastOfBridge) lines.push(`link del ${m.bridge}`);
    lines.push(`netns del ${m.netns}`);
    if (remainingObjects(ctx, m, lastOfBridge).length === 0) return;
    // -force: a missing object is fine; what counts is the state afterwards, checked below.
    const r = await ctx.driver.ipBatch(lines, { force: true });
    const gone = await pollUntil(() => remainingObjects(ctx, m, lastOfBridge).length === 0);
    if (!gone)
      throw new NsError(
        "ERR_NS_COMMAND_FAILED",
        `could not remove ${remainingObjects(ctx, m, lastOfBridge).join(", ")}: ${r.stderr.trim()}`,
        {
          hint: "check `ip netns pids` for processes holding it; `ns gc` retries",
          details: { stderr: r.stderr },
        },
      );
  });
  // Last of the kernel objects: the blackhole of a background destroy, once the rules pointing at it are gone.
  if (m.blackhole !== undefined && failures.length === 0)
    await step(async () => {
      await ctx.driver.ipBatch([`route del blackhole ${m.blackhole}/32`], { force: true });
    });
  // Only our own directory: never /etc/netns itself (removing a directory detaches mounts on it in other
  // mount namespaces, e.g. a tmpfs a test harness put there).
  await step(() => ctx.driver.files.remove(etcNetnsDir(m.netns)));
  if (failures.length > 0) throw new TeardownError(m.id, failures);
  await step(() =>
    ctx.withLock("global", async () => {
      removeMarker(ctx.driver.files, ctx.stateDir, m.netns);
      const any = (match: (o: NetnsMarker) => boolean) =>
        someMarker(ctx.driver.files, ctx.stateDir, ctx.hostNetns, match);
      if (m.mode === "private" && !any((o) => o.mode === "private"))
        restoreForwarding(ctx.driver, ctx.stateDir, ctx.hostNetns);
      // A private namespace without elements (crashed before its marker knew them) still used the table.
      if (elements.length === 0 && m.mode !== "full" && !any((o) => o.mode !== "full"))
        await ctx.nft.dropTable().catch(() => undefined);
    }),
  );
  if (failures.length > 0) throw new TeardownError(m.id, failures);
}
