import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { forwardKey, forwardsConflict, NS_ERROR_CODES } from "@ns/types";
import { afterAll, describe, expect, it } from "vitest";
import { isExclusive } from "../src/store/claims.ts";
import { createSqliteStore } from "../src/store/sqlite-store.ts";
import { forkTsxWorker, nextMessage } from "../src/testing/worker.ts";
import type { CreateOutcome, WorkerReport } from "./fixtures/concurrency-worker.ts";

const WORKERS = 4;
const PER_WORKER = 50;
const worker = fileURLToPath(new URL("./fixtures/concurrency-worker.ts", import.meta.url));
const pkgDir = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ns-concurrency-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts every worker, waits until all are loaded, then lets them loose at once. */
async function runWorkers(path: string): Promise<{ reports: WorkerReport[]; ms: number }> {
  const children = Array.from({ length: WORKERS }, (_, w) =>
    forkTsxWorker(worker, [path, String(w), String(PER_WORKER)], pkgDir),
  );
  const exited = children.map(
    (c) => new Promise<number | null>((resolve) => c.once("exit", (code) => resolve(code))),
  );
  await Promise.all(children.map((c) => nextMessage(c)));
  const started = performance.now();
  const reports = children.map((c) => nextMessage<WorkerReport>(c));
  for (const c of children) c.send("go");
  const all = await Promise.all(reports);
  const ms = performance.now() - started;
  expect(await Promise.all(exited)).toEqual(Array(WORKERS).fill(0));
  return { reports: all, ms };
}

describe("SQLite store shared by several processes", () => {
  it("never hands out an address or host port twice across 4 processes creating 200 namespaces at once", async () => {
    const path = join(dir, "state.db");
    const { reports, ms } = await runWorkers(path);
    const outcomes: CreateOutcome[] = reports.flatMap((r) => r.outcomes);
    expect(outcomes).toHaveLength(WORKERS * PER_WORKER);

    // The workers really ran at the same time.
    expect(Math.max(...reports.map((r) => r.startedAt))).toBeLessThan(
      Math.min(...reports.map((r) => r.finishedAt)),
    );

    // Every failure is typed, and only for the reasons the mix provokes.
    expect(outcomes.filter((o) => o.untyped)).toEqual([]);
    const byCode: Record<string, number> = {};
    for (const o of outcomes) byCode[o.ok ? "ok" : o.code!] = (byCode[o.ok ? "ok" : o.code!] ?? 0) + 1;
    for (const code of Object.keys(byCode)) if (code !== "ok") expect(NS_ERROR_CODES).toContain(code);
    expect(Object.keys(byCode).sort()).toEqual(["ERR_NS_EXISTS", "ERR_NS_PORT_IN_USE", "ok"]);
    expect(byCode.ERR_NS_EXISTS).toBe(2 * (WORKERS - 1));

    const ok = outcomes.filter((o) => o.ok);
    const addrs = ok.flatMap((o) => [o.ipAddr, o.gateway].filter((a): a is string => a !== undefined));
    expect(new Set(addrs).size).toBe(addrs.length);

    const forwards = ok.flatMap((o) => (o.forwards ?? []).map((f) => ({ ...f, owner: o.id })));
    for (const [i, a] of forwards.entries())
      for (const b of forwards.slice(i + 1))
        if (a.owner !== b.owner) expect(forwardsConflict(a, b), `${a.owner} vs ${b.owner}`).toBe(false);

    const net = (a: string) => a.split(".").slice(0, 3).join(".");
    const bridgeNets = new Map<string, Set<string>>();
    for (const o of ok.filter((x) => x.bridge))
      bridgeNets.set(o.bridge!, (bridgeNets.get(o.bridge!) ?? new Set()).add(net(o.ipAddr!)));
    expect([...bridgeNets.values()].map((s) => s.size)).toEqual([1, 1, 1]);
    expect(new Set([...bridgeNets.values()].flatMap((s) => [...s])).size).toBe(3);

    // The store agrees with what the processes were told, claim by claim.
    const store = createSqliteStore({ path });
    const records = await store.list();
    const claims = await store.claims();
    await store.close();
    expect(records.map((r) => r.info.id).sort()).toEqual(ok.map((o) => o.id).sort());
    expect(records.every((r) => r.state === "ready")).toBe(true);
    const exclusive = claims.filter(isExclusive).map((c) => `${c.kind} ${c.key}`);
    expect(new Set(exclusive).size).toBe(exclusive.length);
    for (const r of records) {
      const mine = claims
        .filter((c) => c.namespaceId === r.info.id)
        .map((c) => `${c.kind} ${c.key}${c.value ? ` ${c.value}` : ""}`)
        .sort();
      const iface = r.info.interface;
      const expected: string[] = [];
      if (r.info.mode === "private")
        expected.push(
          `subnet ${r.resolved.interface!.ipAddr.replace(/\d+$/, (d) => String(Number(d) & ~3))}/30`,
          `addr ${iface!.ipAddr}`,
          `addr ${iface!.gateway}`,
          ...r.info.portForwards.map((f) => `port ${forwardKey(f)}`),
        );
      if (r.info.mode === "bridged")
        expected.push(`bridge ${r.info.bridge} ${r.resolved.bridgeSubnet}`, `addr ${iface!.ipAddr}`);
      expect(mine, r.info.id).toEqual(expected.sort());
    }
    expect(claims.every((c) => records.some((r) => r.info.id === c.namespaceId))).toBe(true);

    console.log(
      `concurrency: ${WORKERS} processes x ${PER_WORKER} creates in ${ms.toFixed(0)} ms: ${JSON.stringify(byCode)}`,
    );
  }, 120_000);
});
