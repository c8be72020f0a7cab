import { NsError } from "@ns/types";
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
export function checkReservation(id: string, held: readonly Claim[], reservation: Reservation): void {
  const taken = new Map<string, string>();
  for (const c of held) if (isExclusive(c)) taken.set(claimKey(c), c.namespaceId);
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
