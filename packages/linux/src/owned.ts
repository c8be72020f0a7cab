import type { OwnedObject } from "@ns/core";
import { NsError, TeardownError, teardownFailures } from "@ns/types";
import type { BackendContext } from "./context.ts";
import { listMarkers, type NetnsMarker, ownedBy, readMarker, removeMarker, someMarker } from "./markers.ts";
import { bridgeLockKey, bridgeName, NETNS_PREFIX, NFT_FAMILY, NFT_TABLE, ourLinkKind } from "./names.ts";
import { reconcile } from "./reconcile.ts";
import { teardownNamespace } from "./teardown.ts";

/**
 * Our objects in this host network namespace: named netns whose marker names this host (named namespaces are
 * machine-wide; another host namespace's are never listed), markers without a netns (their teardown also
 * removes their /etc/netns directory), our links, and our nft table when no namespace needs it. An
 * /etc/netns/nsx-* directory without a marker is never listed: another installation (another state
 * directory, another mount namespace) may own it. Re-applies the firewall state of
 * the live ones first (see reconcile).
 */
export async function listOwnedObjects(ctx: BackendContext): Promise<OwnedObject[]> {
  const { driver } = ctx;
  // gc is where lost shared state (a flushed ruleset, reverted sysctls) of live namespaces comes back.
  await reconcile(ctx);
  const out: OwnedObject[] = [];
  // Kernel first, markers second: a create writes its marker before its objects, so an object made between the
  // two reads always has its marker in the second one and is never taken for an orphan.
  const netns = new Set(driver.netnsList().filter((n) => n.startsWith(NETNS_PREFIX)));
  const links = driver.links();
  const all = listMarkers(ctx.driver.files, ctx.stateDir, ctx.hostNetns);
  const markers = all.filter((m) => ownedBy(m, ctx.owner));
  const vethOwner = new Map<string, string>();
  const bridgesInUse = new Set<string>();
  for (const m of all) {
    if (m.veth) vethOwner.set(m.veth, m.id);
    if (m.bridge) bridgesInUse.add(m.bridge);
  }
  for (const m of markers)
    out.push({ kind: netns.has(m.netns) ? "netns" : "marker", name: m.netns, namespaceId: m.id });
  // Another owner's links are not ours to list: they are skipped, not reported as orphans.
  const foreignVeths = new Set(all.filter((m) => !ownedBy(m, ctx.owner) && m.veth).map((m) => m.veth!));
  for (const l of links) {
    const kind = ourLinkKind(l);
    if (kind === "veth") {
      if (foreignVeths.has(l)) continue;
      const o: OwnedObject = { kind: "link", name: l };
      const id = vethOwner.get(l);
      if (id !== undefined) o.namespaceId = id;
      out.push(o);
    } else if (kind === "bridge" && !bridgesInUse.has(l)) out.push({ kind: "link", name: l });
  }
  if (!all.some((m) => m.mode === "private" || m.mode === "bridged")) {
    const table = await driver.nftListTable(NFT_FAMILY, NFT_TABLE);
    if (table !== undefined) out.push({ kind: "nft-table", name: `${NFT_FAMILY} ${NFT_TABLE}` });
  }
  return out;
}

/** Removes objects listed by listOwnedObjects; a namespace with a marker is torn down completely from it. */
export async function removeOwnedObjects(ctx: BackendContext, objects: OwnedObject[]): Promise<void> {
  const failures: NsError[] = [];
  const done = new Set<string>();
  const attempt = async (fn: () => Promise<void> | void) => {
    try {
      await fn();
    } catch (e) {
      failures.push(...teardownFailures(e));
    }
  };
  // Namespaces first (they take their links, elements and files along), then loose links, files, the table.
  const order = ["netns", "marker", "link", "file", "nft-table"];
  const sorted = [...objects].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  for (const o of sorted) {
    if (done.has(`${o.kind}:${o.name}`)) continue;
    await attempt(async () => {
      if (o.kind === "netns" || o.kind === "marker") {
        const m = readMarker(ctx.driver.files, ctx.stateDir, o.name);
        if (m === undefined || m.hostNetns !== ctx.hostNetns || !ownedBy(m, ctx.owner)) return;
        const run = () => teardownNamespace(ctx, m);
        await (m.bridgeName ? ctx.withLock(bridgeLockKey(bridgeName(m.bridgeName)), run) : run());
        if (m.veth) done.add(`link:${m.veth}`);
      } else if (o.kind === "link") {
        const remove = async () => {
          if (!ctx.driver.linkExists(o.name)) return;
          await ctx.driver.ipBatch([`link del ${o.name}`]);
        };
        const claimed = (match: (m: NetnsMarker) => boolean) =>
          someMarker(ctx.driver.files, ctx.stateDir, ctx.hostNetns, match);
        // A veth listed as an orphan may belong to a namespace created since (same id, marker written first):
        // checked again right before the delete, which leaves a window of one call instead of the whole gc.
        if (ourLinkKind(o.name) !== "bridge")
          return o.namespaceId === undefined && claimed((m) => m.veth === o.name) ? undefined : remove();
        // Under the bridge's lock and checked again: a create in another process may have joined it since the listing.
        await ctx.withLock(bridgeLockKey(o.name), async () => {
          if (!claimed((m) => m.bridge === o.name)) await remove();
        });
      } else if (o.kind === "file") {
        ctx.driver.files.remove(o.name);
      } else if (o.kind === "nft-table") {
        await ctx.withLock("global", async () => {
          if (someMarker(ctx.driver.files, ctx.stateDir, ctx.hostNetns, (m) => m.mode !== "full")) return;
          await ctx.nft.dropTable();
        });
      } else {
        throw new NsError("ERR_NS_INTERNAL", `unknown owned object kind ${o.kind}`);
      }
    });
  }
  // A marker whose namespace was removed above is gone; one left means its teardown failed (reported).
  for (const o of objects) if (o.kind === "marker" && !failures.length) removeMarkerIfStale(ctx, o.name);
  if (failures.length > 0) throw new TeardownError("gc", failures);
}

function removeMarkerIfStale(ctx: BackendContext, netns: string): void {
  const m = readMarker(ctx.driver.files, ctx.stateDir, netns);
  if (m && m.hostNetns === ctx.hostNetns && !ctx.driver.netnsExists(netns))
    removeMarker(ctx.driver.files, ctx.stateDir, netns);
}
