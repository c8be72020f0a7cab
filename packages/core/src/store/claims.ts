import { NsError } from "@ns/types";
import type { ClaimIndex } from "../claim-index.ts";
import type { Claim, Reservation } from "./store.ts";

/** Bridge membership is shared by every member; every other claim kind belongs to one namespace at a time. */
export function isExclusive(claim: Pick<Claim, "kind">): boolean {
  return claim.kind !== "bridge";
}

/** Identity of an exclusive claim. */
function claimKey(c: Pick<Claim, "kind" | "key">): string {
  return `${c.kind}\u0000${c.key}`;
}

/**
 * Checks what `build` returned before a store inserts it: claims must belong to `id` and no exclusive claim may
 * be held twice. Allocation already guarantees both; this is the store's last line of defence, so a bug in
 * allocation shows as ERR_NS_STATE instead of two namespaces sharing an address.
 */
export function checkReservation(
  id: string,
  held: readonly Claim[],
  reservation: Reservation,
  index?: ClaimIndex,
): void {
  const taken = new Map<string, string>();
  if (index) {
    for (const c of reservation.claims) {
      const owner = isExclusive(c) ? index.owner(c.kind, c.key) : undefined;
      if (owner !== undefined) taken.set(claimKey(c), owner);
    }
  } else {
    // Index the few new claims and scan the held ones once, allocating nothing per held claim.
    const wanted = new Map<string, Claim[]>();
    for (const c of reservation.claims)
      if (isExclusive(c)) wanted.set(c.key, [...(wanted.get(c.key) ?? []), c]);
    for (const c of held) {
      if (c.kind === "bridge") continue;
      const hit = wanted.get(c.key)?.find((w) => w.kind === c.kind);
      if (hit) taken.set(claimKey(hit), c.namespaceId);
    }
  }
  for (const c of reservation.claims) {
    if (c.namespaceId !== id)
      throw new NsError("ERR_NS_STATE", `reservation of ${id} carries a claim of ${c.namespaceId}`, {
        hint: "this is a bug in ns; please report it",
        details: { id, claim: c },
      });
    if (!isExclusive(c)) continue;
    const owner = taken.get(claimKey(c));
    if (owner !== undefined)
      throw new NsError("ERR_NS_STATE", `${c.kind} ${c.key} is already held by ${owner}`, {
        hint: "this is a bug in ns allocation; please report it",
        details: { id, claim: c, owner },
      });
    taken.set(claimKey(c), id);
  }
}
