import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { forkTsxWorker, nextMessage } from "@ns/core/testing";
import { isNsError } from "@ns/types";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { hostLockPath } from "./host-lock.ts";
import { type LockOrder, makeLock } from "./test-support/lock-worker.ts";

const worker = fileURLToPath(new URL("./test-support/lock-worker.ts", import.meta.url));
const pkgDir = fileURLToPath(new URL("..", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "ns-host-lock-"));
const children = new Set<ChildProcess>();
afterEach(() => {
  for (const c of children) c.kill("SIGKILL");
  children.clear();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const freshDir = () => join(root, `s${++n}`);

async function startWorker(
  kind: string,
  stateDir: string,
  key = "global",
  detached = false,
): Promise<ChildProcess> {
  const c = forkTsxWorker(worker, [kind, stateDir, key], pkgDir, detached);
  children.add(c);
  expect(await nextMessage(c)).toBe("ready");
  return c;
}

const send = (c: ChildProcess, o: LockOrder) => c.send(o);

describe("hostLockPath", () => {
  it("maps keys to files under locks/ and refuses keys that could leave it", () => {
    expect(hostLockPath("/run/ns/linux/hosts/7", "global")).toBe("/run/ns/linux/hosts/7/locks/global.lock");
    expect(hostLockPath("/s", "bridge:lab-1")).toBe("/s/locks/bridge-lab-1.lock");
    for (const bad of ["", "../x", "a/b", "x y", ".hidden", "a".repeat(81)])
      expect(() => hostLockPath("/s", bad)).toThrow(/invalid host lock key/);
  });
});

for (const kind of ["flock", "flock(1)"]) {
  describe(`host lock across processes (${kind})`, () => {
    it("makes another process wait until the holder releases", async () => {
      const dir = freshDir();
      const holder = await startWorker(kind, dir);
      send(holder, { op: "hold" });
      expect(await nextMessage(holder)).toBe("held");
      const started = performance.now();
      setTimeout(() => send(holder, { op: "release" }), 300);
      const waited = await makeLock(kind, dir).run("global", async () => performance.now() - started);
      expect(waited).toBeGreaterThanOrEqual(250);
    });

    it("does not make a process wait for a different key", async () => {
      const dir = freshDir();
      const holder = await startWorker(kind, dir, "bridge:a");
      send(holder, { op: "hold" });
      expect(await nextMessage(holder)).toBe("held");
      const started = performance.now();
      await makeLock(kind, dir, 2000).run("bridge:b", async () => undefined);
      expect(performance.now() - started).toBeLessThan(1500);
      send(holder, { op: "release" });
    });

    it("fails with ERR_NS_STATE after the timeout while another process holds it", async () => {
      const dir = freshDir();
      const holder = await startWorker(kind, dir);
      send(holder, { op: "hold" });
      expect(await nextMessage(holder)).toBe("held");
      const started = performance.now();
      const e = await makeLock(kind, dir, 200)
        .run("global", async () => "acquired")
        .catch((x: unknown) => x);
      expect(isNsError(e, "ERR_NS_STATE")).toBe(true);
      expect(String((e as Error).message)).toMatch(/held by another process for more than 200 ms/);
      expect(performance.now() - started).toBeGreaterThanOrEqual(180);
      send(holder, { op: "release" });
    });

    it("is released by the kernel when its holder is killed", async () => {
      const dir = freshDir();
      const holder = await startWorker(kind, dir);
      send(holder, { op: "hold" });
      expect(await nextMessage(holder)).toBe("held");
      holder.kill("SIGKILL");
      await expect(makeLock(kind, dir, 5000).run("global", async () => "acquired")).resolves.toBe("acquired");
    });

    it("keeps the lock when the holder's process group gets a Ctrl-C the holder traps", async () => {
      const dir = freshDir();
      const holder = await startWorker(kind, dir, "global", true);
      send(holder, { op: "hold" });
      expect(await nextMessage(holder)).toBe("held");
      process.kill(-holder.pid!, "SIGINT"); // what the terminal sends to the whole foreground group
      await new Promise((r) => setTimeout(r, 100));
      const e = await makeLock(kind, dir, 200)
        .run("global", async () => "acquired")
        .catch((x: unknown) => x);
      expect(isNsError(e, "ERR_NS_STATE")).toBe(true);
      send(holder, { op: "release" });
    });

    it("excludes: two processes incrementing one file 50 times each under the lock lose no update", async () => {
      const dir = freshDir();
      const file = join(root, `counter-${n}`);
      writeFileSync(file, "0");
      const a = await startWorker(kind, dir);
      const b = await startWorker(kind, dir);
      const done = [nextMessage(a), nextMessage(b)];
      send(a, { op: "count", file, times: 50 });
      send(b, { op: "count", file, times: 50 });
      expect(await Promise.all(done)).toEqual(["counted", "counted"]);
      expect(readFileSync(file, "utf8")).toBe("100");
    }, 30_000);
  });
}
