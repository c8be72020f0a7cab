import { NsError } from "@ns/types";
import type { NamespaceRecord } from "../backend.ts";
import { type ClaimIndex, createClaimIndex } from "../claim-index.ts";
import { checkReservation } from "./claims.ts";
import type { Claim, RecordPatch, Reservation, StateStore } from "./store.ts";

const clone = <T>(v: T): T => structuredClone(v);

/** In-process store: fast, forgotten when the process exits. */
export function createMemoryStore(): StateStore {
  const records = new Map<string, NamespaceRecord>();
  let claims: Readonly<Claim>[] = [];
  const index = createClaimIndex();
  return {
    kind: "memory",
    async reserve(id: string, build: (claims: readonly Claim[], index?: ClaimIndex) => Reservation) {
      if (records.has(id)) throw existsError(id);
      // Held claims are frozen and indexed: build reads them without a copy or a scan.
      const r = build(claims.slice(), index);
      checkReservation(id, claims, r, index);
      records.set(id, clone(r.record));
      for (const c of r.claims) {
        const frozen = Object.freeze({ ...c });
        claims.push(frozen);
        index.add(frozen);
      }
      return clone(r.record);
    },
    async update(id: string, patch: RecordPatch) {
      const cur = records.get(id);
      if (!cur) throw notFound(id);
      const next = { ...cur, ...clone(patch) };
      records.set(id, next);
      return clone(next);
    },
    async get(id: string) {
      const r = records.get(id);
      return r ? clone(r) : undefined;
    },
    async list() {
      return [...records.values()].map(clone);
    },
    async findByPid(pid: number) {
      return [...records.values()].filter((r) => r.info.pid === pid).map(clone);
    },
    async remove(id: string) {
      index.removeOwner(
        id,
        claims.filter((c) => c.namespaceId === id),
      );
      claims = claims.filter((c) => c.namespaceId !== id);
      return records.delete(id);
    },
    async claims() {
      return claims.map(clone);
    },
    async close() {},
  };
}

/** ERR_NS_EXISTS for an id. */
export function existsError(id: string): NsError {
  return new NsError("ERR_NS_EXISTS", `namespace ${id} already exists`, {
    hint: "choose another id or destroy the existing namespace",
    details: { id },
  });
}

/** ERR_NS_NOT_FOUND for an id. */
export function notFound(id: string): NsError {
  return new NsError("ERR_NS_NOT_FOUND", `namespace ${id} not found`, {
    hint: "`ns list` shows the namespaces that exist",
    details: { id },
  });
}
