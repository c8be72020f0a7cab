import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isNsError } from "@ns/types";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { describeStoreContract, sampleRecord } from "../testing/store-contract.ts";
import { SCHEMA_VERSION } from "./sqlite-schema.ts";
import { createSqliteStore } from "./sqlite-store.ts";

const root = mkdtempSync(join(tmpdir(), "ns-sqlite-test-"));
let n = 0;
const fresh = () => join(root, `db-${n++}`, "state.db");
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeStoreContract("sqlite (file)", () => createSqliteStore({ path: fresh() }));
describeStoreContract("sqlite (:memory:)", () => createSqliteStore({ path: ":memory:" }));

const build = (id: string) => () => ({ record: sampleRecord(id), claims: [] });

async function failure(p: Promise<unknown> | (() => unknown)) {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    return e;
  }
  throw new Error("expected a failure");
}

describe("sqlite store", () => {
  it("creates its missing parent directory with mode 0700", async () => {
    const path = join(root, "deep", "er", "state.db");
    const store = createSqliteStore({ path });
    expect(statSync(join(root, "deep", "er")).mode & 0o777).toBe(0o700);
    expect(store.kind).toBe("sqlite");
    expect(store.path).toBe(path);
    await store.close();
    await store.close();
  });

  it("uses WAL and records the schema version", async () => {
    const path = fresh();
    await createSqliteStore({ path }).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it("keeps records across reopening and shares them between open stores", async () => {
    const path = fresh();
    const a = createSqliteStore({ path });
    const b = createSqliteStore({ path });
    await a.reserve("x", build("x"));
    expect((await b.get("x"))?.info.id).toBe("x");
    expect(isNsError(await failure(b.reserve("x", build("x"))), "ERR_NS_EXISTS")).toBe(true);
    await a.close();
    await b.close();
    const c = createSqliteStore({ path });
    expect((await c.list()).map((r) => r.info.id)).toEqual(["x"]);
    await c.close();
  });

  it("refuses a database written by a newer schema", async () => {
    const path = fresh();
    await createSqliteStore({ path }).close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const e = await failure(() => createSqliteStore({ path }));
    expect(isNsError(e, "ERR_NS_STATE")).toBe(true);
    expect(String((e as Error).message)).toMatch(/newer/);
  });

  it("fails with ERR_NS_STATE and a hint when another process holds the write lock too long", async () => {
    const path = fresh();
    const store = createSqliteStore({ path, busyTimeoutMs: 50 });
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    const started = Date.now();
    const e = await failure(store.reserve("x", build("x")));
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(isNsError(e, "ERR_NS_STATE")).toBe(true);
    expect((e as { hint?: string }).hint).toMatch(/busyTimeoutMs/);
    expect((e as { details: { sqlite: string } }).details.sqlite).toMatch(/^SQLITE_BUSY/);
    other.exec("ROLLBACK");
    other.close();
    await store.reserve("x", build("x"));
    await store.close();
  });

  it("keeps the event loop running while it waits for another writer", async () => {
    const path = fresh();
    const store = createSqliteStore({ path, busyTimeoutMs: 3000 });
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    // Only a running event loop can release the other writer: a write that blocked it would time out instead.
    setTimeout(() => other.exec("ROLLBACK"), 200);
    let ticks = 0;
    let longest = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      ticks++;
    }, 5);
    const started = performance.now();
    try {
      await store.reserve("x", build("x"));
    } finally {
      clearInterval(timer);
      other.close();
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect(ticks).toBeGreaterThan(5);
    expect(longest).toBeLessThan(150);
    await store.close();
  });

  it("reports a file that is not a database as ERR_NS_STATE", async () => {
    const path = join(root, "garbage.db");
    writeFileSync(path, "this is not sqlite ".repeat(100));
    const e = await failure(() => createSqliteStore({ path }));
    expect(isNsError(e, "ERR_NS_STATE")).toBe(true);
    expect((e as { hint?: string }).hint).toMatch(/writable/);
  });

  it("reports use after close as ERR_NS_STATE", async () => {
    const store = createSqliteStore({ path: fresh() });
    await store.close();
    expect(isNsError(await failure(store.list()), "ERR_NS_STATE")).toBe(true);
  });
});
