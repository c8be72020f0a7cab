import { NsError } from "@ns/types";
import type Database from "better-sqlite3";

/**
 * Migrations by the user_version they lead to; append only, never edit a shipped one.
 * Records are JSON (the model evolves with the packages); the columns beside it exist for lookups and constraints.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS namespaces (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     state TEXT NOT NULL CHECK (state IN ('creating', 'ready', 'destroying')),
     pid INTEGER,
     owner_pid INTEGER NOT NULL,
     record TEXT NOT NULL
   );
   CREATE INDEX IF NOT EXISTS namespaces_pid ON namespaces (pid);
   CREATE TABLE IF NOT EXISTS claims (
     kind TEXT NOT NULL CHECK (kind IN ('subnet', 'addr', 'port', 'bridge')),
     key TEXT NOT NULL,
     namespace_id TEXT NOT NULL REFERENCES namespaces (id) ON DELETE CASCADE,
     value TEXT,
     PRIMARY KEY (kind, key, namespace_id)
   );
   CREATE UNIQUE INDEX IF NOT EXISTS claims_exclusive ON claims (kind, key) WHERE kind <> 'bridge';
   CREATE INDEX IF NOT EXISTS claims_owner ON claims (namespace_id);`,
];

/** Schema version this code writes (PRAGMA user_version). */
export const SCHEMA_VERSION = MIGRATIONS.length;

const version = (db: Database.Database) => db.pragma("user_version", { simple: true }) as number;

/** Brings the schema to SCHEMA_VERSION; refuses a database written by a newer ns. */
export function migrate(db: Database.Database, path: string): void {
  const tooNew = (v: number) =>
    new NsError(
      "ERR_NS_STATE",
      `state database ${path} has schema ${v}, newer than this ns (${SCHEMA_VERSION})`,
      {
        hint: "upgrade ns, or point it at another state file",
        details: { path, schema: v, supported: SCHEMA_VERSION },
      },
    );
  const seen = version(db);
  if (seen > SCHEMA_VERSION) throw tooNew(seen);
  if (seen === SCHEMA_VERSION) return;
  // Re-read under the write lock: another process may have migrated while we waited.
  db.transaction(() => {
    const v = version(db);
    if (v > SCHEMA_VERSION) throw tooNew(v);
    for (let n = v; n < SCHEMA_VERSION; n++) db.exec(MIGRATIONS[n]!);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
