// Holds a host lock for host-lock.test.ts: `lock-worker.ts KIND STATE_DIR KEY`, then obeys IPC messages.
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { defaultHostLock, type HostLock } from "../host-lock.ts";

/** Messages the test sends: hold until "release", or count `times` increments of a file under the lock. */
export type LockOrder = { op: "hold" } | { op: "release" } | { op: "count"; file: string; times: number };

export function makeLock(kind: string, dir: string, timeoutMs?: number): HostLock {
  const lock = defaultHostLock(dir, {
    native: kind === "flock",
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  if (lock.kind !== kind) throw new Error(`wanted a ${kind} host lock, got ${lock.kind} (does koffi load?)`);
  return lock;
}

// Only when run as the worker (the test imports makeLock from here too).
if (
  process.send &&
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(process.argv[1]).href
) {
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
