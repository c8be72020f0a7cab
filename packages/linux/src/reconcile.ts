import type { BackendContext } from "./context.ts";
import { enableForwarding } from "./forwarding.ts";
import { listMarkers } from "./markers.ts";
import { addElementsScript, type NftElement } from "./nft-table.ts";
import { bridgeElements } from "./plan-bridged.ts";
import { privateSysctls } from "./plan-private.ts";

/** What reconcile re-applied. */
export interface ReconcileReport {
  /** Namespaces whose firewall state was re-added. */
  namespaces: number;
  /** nft elements re-added (idempotent: present ones are unchanged). */
  elements: number;
}

/**
 * Re-applies the shared state of every live namespace of this host from the markers: the nft table with all
 * elements (another tool's `nft flush ruleset` or a firewalld reload wipes it, netavark#230), ip_forward and
 * the per-veth sysctls (systemd-sysctl may revert them). Idempotent; one nft transaction.
 */
export async function reconcile(ctx: BackendContext): Promise<ReconcileReport> {
  // Under the lock teardown takes to mark a marker `destroying` and delete its elements: never re-add those.
  return ctx.withLock("global", async () => {
    const links = new Set(ctx.driver.links());
    const markers = listMarkers(ctx.driver.files, ctx.stateDir, ctx.hostNetns).filter(
      (m) => !m.destroying && m.veth !== undefined && links.has(m.veth) && ctx.driver.netnsExists(m.netns),
    );
    const elements: NftElement[] = [];
    const bridges = new Set<string>();
    for (const m of markers) {
      elements.push(...(m.elements ?? []));
      if (m.bridgeName) bridges.add(m.bridgeName);
      if (m.mode === "private")
        for (const [key, value] of privateSysctls(m.veth!, (m.forwards ?? []).length > 0))
          ctx.driver.writeSysctl(key, value);
    }
    for (const b of bridges) elements.push(...bridgeElements(b));
    if (markers.some((m) => m.mode === "private")) enableForwarding(ctx.driver, ctx.stateDir, ctx.hostNetns);
    if (elements.length > 0) await ctx.driver.nft(addElementsScript(elements));
    return { namespaces: markers.length, elements: elements.length };
  });
}
