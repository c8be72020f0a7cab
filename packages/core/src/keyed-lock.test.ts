import { describe, expect, it } from "vitest";
import { createKeyedLock } from "./keyed-lock.ts";

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe("keyed lock", () => {
  it("runs calls with one key one after another, in order", async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const first = deferred();
    const a = lock("k", async () => {
      log.push("a start");
      await first.promise;
      log.push("a end");
      return "a";
    });
    const b = lock("k", async () => {
      log.push("b");
      return "b";
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(log).toEqual(["a start"]);
    first.resolve();
    expect(await Promise.all([a, b])).toEqual(["a", "b"]);
    expect(log).toEqual(["a start", "a end", "b"]);
  });

  it("runs calls with different keys concurrently", async () => {
    const lock = createKeyedLock();
    const held = deferred();
    const a = lock("a", () => held.promise);
    expect(await lock("b", async () => "b done")).toBe("b done");
    held.resolve();
    await a;
  });

  it("goes on with the next call after one fails", async () => {
    const lock = createKeyedLock();
    const failing = lock("k", async () => {
      throw new Error("boom");
    });
    const next = lock("k", async () => "next");
    await expect(failing).rejects.toThrow("boom");
    expect(await next).toBe("next");
    expect(await lock("k", async () => "later")).toBe("later");
  });
});
