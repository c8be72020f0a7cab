import type { NamespaceRecord } from "../backend.ts";
import type { ClaimIndex } from "../claim-index.ts";

/** Kind of a claimed resource. */
export type ClaimKind = "subnet" | "addr" | "port" | "bridge";

/** A resource held by a namespace; the store keeps claims and records consistent in one transaction. */
export interface Claim {
  /** subnet: an exclusive subnet (key = CIDR); addr: an address (key = IP); port: a host port (key = forwardKey); bridge: membership (key = bridge name, value = CIDR). */
  kind: ClaimKind;
  /** The resource. */
  key: string;
  /** Owner. */
  namespaceId: string;
  /** Extra value (the bridge's subnet). */
  value?: string;
}

/** Built inside the store's transaction from the claims in force. */
export interface Reservation {
  /** The record to insert (state `creating`). */
  record: NamespaceRecord;
  /** Claims to insert with it. */
  claims: Claim[];
}

/** Fields that may change after insertion. */
export type RecordPatch = Partial<
  Pick<NamespaceRecord, "state" | "backendData" | "ownerPid" | "ownerStartTime" | "info">
>;

/** Persistent namespaces and their claims; shared by every process that uses the same store. */
export interface StateStore {
  /** Kind of store, for diagnostics. */
  readonly kind: "memory" | "sqlite";
  /** Stable identity shared by every process that opens the same store (undefined: this process only). */
  readonly identity?: string;
  /**
   * Atomically: fails with ERR_NS_EXISTS if `id` exists, else calls `build` with every current claim (and, from
   * stores that keep one, an up-to-date index of them) and inserts its result.
   */
  reserve(
    id: string,
    build: (claims: readonly Claim[], index?: ClaimIndex) => Reservation,
  ): Promise<NamespaceRecord>;
  /** Updates a record; throws ERR_NS_NOT_FOUND if it is gone. */
  update(id: string, patch: RecordPatch): Promise<NamespaceRecord>;
  /** One record. */
  get(id: string): Promise<NamespaceRecord | undefined>;
  /** Every record, oldest first. */
  list(): Promise<NamespaceRecord[]>;
  /** Records bound to a pid. */
  findByPid(pid: number): Promise<NamespaceRecord[]>;
  /** Removes a record and releases its claims; false if it was not there. */
  remove(id: string): Promise<boolean>;
  /** Every claim (for diagnostics and tests). */
  claims(): Promise<Claim[]>;
  /** Releases the store. */
  close(): Promise<void>;
}
