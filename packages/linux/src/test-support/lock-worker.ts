// Holds a host lock for host-lock.test.ts: `lock-worker.ts KIND STATE_DIR KEY`, then obeys IPC messages.
import { readFileSync, writeFileSync } from "node:fs";
import { createFlockHostLock, createHelperHostLock, type HostLock } from "../host-lock.ts";
import { loadNative } from "../inproc/libc.ts";

/** Messages the test sends: hold until "release", or count `times` increments of a file under the lock. */
export type LockOrder = { op: "hold" } | { op: "release" } | { op: "count"; file: string; times: number };

export function makeLock(kind: string, stateDir: string, timeoutMs?: number): HostLock {
  if (kind === "flock") {
    const native = loadNative();
    if ("reason" in native) throw new Error(`flock lock needs koffi: ${native.reason}`);
    return createFlockHostLock({
      dir: stateDir,
      flock: native.libc.flock,
      errno: native.libc.errno,
      timeoutMs,
    });
  }
  return createHelperHostLock({ dir: stateDir, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

if (process.send) {
  const [kind, stateDir, key] = process.argv.slice(2) as [string, string, string];
  const lock = makeLock(kind, stateDir);
  let release: () => void = () => undefined;
  process.on("message", async (o: LockOrder) => {
    if (o.op === "release") return release();
    if (o.op === "hold") {
      // Like `ns run`, which traps terminal signals while it changes shared state.
      process.on("SIGINT", () => undefined);
      void lock.run(key, async () => {
        process.send!("held");
        await new Promise<void>((r) => {
          release = r;
        });
      });
      return;
    }
    for (let i = 0; i < o.times; i++)
      await lock.run(key, async () => {
        const n = Number(readFileSync(o.file, "utf8"));
        // A turn of the event loop between read and write: without the lock, the other worker interleaves.
        await new Promise((r) => setTimeout(r, 0));
        writeFileSync(o.file, String(n + 1));
      });
    process.send!("counted");
  });
  process.send("ready");
}
