import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { isNsError, NsError } from "@ns/types";
import type Database from "better-sqlite3";
import type { NamespaceRecord } from "../backend.ts";
import { checkReservation } from "./claims.ts";
import { existsError, notFound } from "./memory-store.ts";
import { migrate } from "./sqlite-schema.ts";
import type { Claim, ClaimKind, RecordPatch, Reservation, StateStore } from "./store.ts";

/** Options of createSqliteStore. */
export interface SqliteStoreOptions {
  /** Database file; its directory is created (mode 0700) when missing. `:memory:` for a private in-memory database. */
  path: string;
  /** How long to wait for another process's write lock before failing with ERR_NS_STATE (default 5000). */
  busyTimeoutMs?: number;
}

/** A StateStore kept in one SQLite file, shared safely by every process that opens it. */
export interface SqliteStore extends StateStore {
  /** Always "sqlite". */
  readonly kind: "sqlite";
  /** The database file. */
  readonly path: string;
}

/** Default wait for a busy database, in milliseconds. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * Longest stretch one write attempt blocks the event loop in SQLite's busy handler (better-sqlite3 is
 * synchronous); between attempts timers and I/O run, so a daemon stays responsive while another process writes.
 */
const BUSY_SLICE_MS = 20;

interface RecordRow {
  record: string;
}
interface ClaimRow {
  kind: ClaimKind;
  key: string;
  namespace_id: string;
  value: string | null;
}

function toClaim(row: ClaimRow): Claim {
  const c: Claim = { kind: row.kind, key: row.key, namespaceId: row.namespace_id };
  if (row.value !== null) c.value = row.value;
  return c;
}

const parse = (row: RecordRow): NamespaceRecord => JSON.parse(row.record) as NamespaceRecord;

const isBusy = (e: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: unknown })?.code ?? ""));

/** Maps anything SQLite throws to ERR_NS_STATE; NsErrors (ERR_NS_EXISTS, allocation errors) pass through. */
function stateError(e: unknown, path: string, timeoutMs: number, op: string): NsError {
  if (isNsError(e)) return e;
  const code = String((e as { code?: unknown })?.code ?? "");
  const message = e instanceof Error ? e.message : String(e);
  if (isBusy(e))
    return new NsError(
      "ERR_NS_STATE",
      `state database ${path} stayed locked by another process for more than ${timeoutMs} ms (${op})`,
      {
        hint: "another ns process is writing to it; retry, or raise busyTimeoutMs",
        cause: e,
        details: { path, op, sqlite: code },
      },
    );
  return new NsError("ERR_NS_STATE", `state database ${path}: ${op} failed: ${message}`, {
    hint: "check that the file and its directory are writable by this user and the file is an ns state database",
    cause: e,
    details: { path, op, sqlite: code || undefined },
  });
}

/** Blocks the thread for ms; opening is synchronous, and only the first opens of a new file ever wait here. */
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function setUp(db: Database.Database, path: string): void {
  // WAL lets readers run while one process writes; NORMAL sync is durable enough in WAL (no corruption on crash).
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  migrate(db, path);
}

type DatabaseClass = typeof Database;
let sqlite: { Database: DatabaseClass; nativeBinding: string | undefined } | undefined;

/**
 * Loads better-sqlite3 on first use, by require: an ESM import of this CommonJS package runs Node's export
 * scanner over it, and the addon is found by path instead of by `bindings`' search (together ~4 ms per CLI start).
 */
function loadSqlite(): { Database: DatabaseClass; nativeBinding: string | undefined } {
  if (sqlite) return sqlite;
  const require = createRequire(import.meta.url);
  let nativeBinding: string | undefined;
  try {
    nativeBinding = require.resolve("better-sqlite3/build/Release/better_sqlite3.node");
  } catch {
    nativeBinding = undefined; // another layout (a debug build, a bundler): let better-sqlite3 search.
  }
  sqlite = { Database: require("better-sqlite3") as DatabaseClass, nativeBinding };
  return sqlite;
}

/**
 * Opens and migrates, retrying on SQLITE_BUSY until the timeout: switching a new file to WAL returns BUSY at once,
 * without the busy handler, when another process is doing the same (seen with 6 processes opening one new file).
 */
function open(path: string, timeoutMs: number): Database.Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const { Database, nativeBinding } = loadSqlite();
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const db = new Database(path, { timeout: Math.max(1, deadline - Date.now()), nativeBinding });
    try {
      setUp(db, path);
      // From now on SQLite waits at most one slice per attempt; writes retry between slices (see writeOp).
      db.pragma(`busy_timeout = ${Math.max(0, Math.min(BUSY_SLICE_MS, Math.floor(timeoutMs)))}`);
      return db;
    } catch (e) {
      db.close();
      const left = deadline - Date.now();
      if (!isBusy(e) || left <= 0) throw e;
      sleepSync(Math.min(left, 2 ** Math.min(attempt, 6) + Math.random() * 5));
    }
  }
}

/** Creates a SQLite-backed store: WAL, busy timeout, schema versioned by user_version, writes in BEGIN IMMEDIATE. */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const { path } = options;
  const timeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const guard = <T>(op: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw stateError(e, path, timeoutMs, op);
    }
  };
  // Each attempt is a whole transaction (BEGIN IMMEDIATE takes the lock first), so a busy one is simply run again.
  const writeOp = async <T>(op: string, fn: () => T): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return fn();
      } catch (e) {
        const left = deadline - Date.now();
        if (!isBusy(e) || left <= 0) throw stateError(e, path, timeoutMs, op);
        await new Promise((r) =>
          setTimeout(r, Math.min(left, 1 + Math.random() * 2 ** Math.min(attempt, 4))),
        );
      }
    }
  };
  const db = guard("open", () => open(path, timeoutMs));
  const prepare = () => ({
    get: db.prepare<[string], RecordRow>("SELECT record FROM namespaces WHERE id = ?"),
    list: db.prepare<[], RecordRow>("SELECT record FROM namespaces ORDER BY seq"),
    byPid: db.prepare<[number], RecordRow>("SELECT record FROM namespaces WHERE pid = ? ORDER BY seq"),
    insert: db.prepare("INSERT INTO namespaces (id, state, pid, owner_pid, record) VALUES (?, ?, ?, ?, ?)"),
    update: db.prepare("UPDATE namespaces SET state = ?, pid = ?, owner_pid = ?, record = ? WHERE id = ?"),
    remove: db.prepare("DELETE FROM namespaces WHERE id = ?"),
    claims: db.prepare<[], ClaimRow>("SELECT kind, key, namespace_id, value FROM claims ORDER BY rowid"),
    claim: db.prepare("INSERT INTO claims (kind, key, namespace_id, value) VALUES (?, ?, ?, ?)"),
    release: db.prepare("DELETE FROM claims WHERE namespace_id = ?"),
  });

  const q = guard("prepare", () => {
    try {
      return prepare();
    } catch (e) {
      db.close();
      throw e;
    }
  });

  const write = (id: string, r: NamespaceRecord, insert: boolean) => {
    const json = JSON.stringify(r);
    const pid = r.info.pid ?? null;
    if (insert) q.insert.run(id, r.state, pid, r.ownerPid, json);
    else q.update.run(r.state, pid, r.ownerPid, json, id);
    return JSON.parse(json) as NamespaceRecord;
  };

  // Claims are read and the new ones inserted under one write lock: two processes can never allocate from the same view.
  const reserveTx = db.transaction((id: string, build: (claims: readonly Claim[]) => Reservation) => {
    if (q.get.get(id)) throw existsError(id);
    const held = q.claims.all().map(toClaim);
    const r = build(held);
    checkReservation(id, held, r);
    const stored = write(id, r.record, true);
    for (const c of r.claims) q.claim.run(c.kind, c.key, c.namespaceId, c.value ?? null);
    return stored;
  });
  const updateTx = db.transaction((id: string, patch: RecordPatch) => {
    const row = q.get.get(id);
    if (!row) throw notFound(id);
    return write(id, { ...parse(row), ...patch }, false);
  });
  const removeTx = db.transaction((id: string) => {
    q.release.run(id);
    return q.remove.run(id).changes > 0;
  });

  return {
    kind: "sqlite",
    identity: options.path === ":memory:" ? undefined : `sqlite:${resolve(options.path)}`,
    path,
    async reserve(id, build) {
      return writeOp("reserve", () => reserveTx.immediate(id, build));
    },
    async update(id, patch) {
      return writeOp("update", () => updateTx.immediate(id, patch));
    },
    async get(id) {
      const row = guard("get", () => q.get.get(id));
      return row ? parse(row) : undefined;
    },
    async list() {
      return guard("list", () => q.list.all().map(parse));
    },
    async findByPid(pid) {
      return guard("findByPid", () => q.byPid.all(pid).map(parse));
    },
    async remove(id) {
      return writeOp("remove", () => removeTx.immediate(id));
    },
    async claims() {
      return guard("claims", () => q.claims.all().map(toClaim));
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
