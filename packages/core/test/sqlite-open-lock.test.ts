import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forkTsxWorker, nextMessage } from "../src/testing/worker.ts";
import type { OpenOrder, OpenResult } from "./fixtures/open-worker.ts";

const worker = fileURLToPath(new URL("./fixtures/open-worker.ts", import.meta.url));
const pkgDir = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ns-open-lock-"));
let child: ChildProcess;

beforeAll(async () => {
  child = forkTsxWorker(worker, [], pkgDir);
  await nextMessage(child);
});
afterAll(() => {
  child?.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** Holds a write lock on a brand-new (not yet WAL) file, as a second process in the middle of its first open does. */
function holdNewFile(name: string): { path: string; release(): void } {
  const path = join(dir, name);
  const db = new Database(path);
  db.exec("BEGIN IMMEDIATE");
  return {
    path,
    release: () => {
      db.exec("ROLLBACK");
      db.close();
    },
  };
}

describe("opening a state file another process is setting up", () => {
  // Regression (CI, 4 processes opening one new file): switching to WAL while another process holds the write lock
  // failed with SQLITE_BUSY within milliseconds; SQLite skips the busy handler when a reader must upgrade to writer.
  it("waits for the lock instead of failing at once", async () => {
    const held = holdNewFile("released.db");
    const answer = nextMessage<OpenResult>(child);
    child.send({ path: held.path, busyTimeoutMs: 10_000 } satisfies OpenOrder);
    await new Promise((r) => setTimeout(r, 300));
    held.release();
    const result = await answer;
    expect(result).toMatchObject({ ok: true });
    expect(result.ms).toBeGreaterThanOrEqual(250);
  });

  it("gives later writes the whole busy timeout again, however long the open waited", async () => {
    const held = holdNewFile("then-write.db");
    const opened = nextMessage<OpenResult>(child);
    child.send({ path: held.path, busyTimeoutMs: 1000, thenWrite: true } satisfies OpenOrder);
    await new Promise((r) => setTimeout(r, 400));
    held.release();
    expect((await opened).ok).toBe(true);
    // Now a write that must wait 700 ms: more than what was left of the open's 1000 ms, less than 1000.
    const other = new Database(held.path);
    other.exec("BEGIN IMMEDIATE");
    const wrote = nextMessage<OpenResult>(child);
    child.send("write");
    await new Promise((r) => setTimeout(r, 700));
    other.exec("ROLLBACK");
    other.close();
    const result = await wrote;
    expect(result).toMatchObject({ ok: true });
    expect(result.ms).toBeGreaterThanOrEqual(600);
  });

  it("fails with ERR_NS_STATE after the busy timeout, not before, when the lock is never released", async () => {
    const held = holdNewFile("kept.db");
    try {
      const answer = nextMessage<OpenResult>(child);
      child.send({ path: held.path, busyTimeoutMs: 400 } satisfies OpenOrder);
      const result = await answer;
      expect(result).toMatchObject({ ok: false, code: "ERR_NS_STATE" });
      expect(result.message).toMatch(/locked by another process for more than 400 ms/);
      expect(result.ms).toBeGreaterThanOrEqual(390);
    } finally {
      held.release();
    }
  });
});
