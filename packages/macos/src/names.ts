import { safeId } from "./safe.ts";

/** Parent anchor of every anchor we load; the main ruleset must reference `ns/*` under it. */
export const ANCHOR_ROOT = "ns";

/** The pf anchor of one namespace: `ns/<id>`. */
export function anchorName(id: string): string {
  return `${ANCHOR_ROOT}/${safeId(id)}`;
}

/** File name of a namespace's Seatbelt profile inside the state dir. */
export function profileFileName(id: string): string {
  return `${safeId(id)}.sb`;
}

/** File name that holds a namespace's pf enable token, so gc can release it after a crash. */
export function tokenFileName(id: string): string {
  return `${safeId(id)}.pftoken`;
}

/** What an owned file name says: its kind and namespace id, or undefined when it is not ours. */
export function parseOwnedFileName(
  name: string,
): { kind: "seatbelt-profile" | "pf-token"; namespaceId: string } | undefined {
  const m = /^([a-z0-9][a-z0-9_-]{0,47})\.(sb|pftoken)$/.exec(name);
  if (!m) return undefined;
  return { kind: m[2] === "sb" ? "seatbelt-profile" : "pf-token", namespaceId: m[1]! };
}

/** The namespace id of an anchor path `ns/<id>`, or undefined when it is not ours. */
export function anchorNamespaceId(anchor: string): string | undefined {
  const m = /^ns\/([a-z0-9][a-z0-9_-]{0,47})$/.exec(anchor);
  return m ? m[1] : undefined;
}
