import { describe, expect, it } from "vitest";
import { sumInterfaceStats, zeroInterfaceStats } from "./stats.ts";

describe("stats helpers", () => {
  it("sums the counters of every interface", () => {
    const lo = zeroInterfaceStats("lo", { rxBytes: 10, txPackets: 2, state: "up" });
    const eth = zeroInterfaceStats("eth0", { rxBytes: 5, txDropped: 1 });
    const s = sumInterfaceStats("ns-a", "2026-01-01T00:00:00.000Z", [lo, eth]);
    expect(s).toMatchObject({ id: "ns-a", rxBytes: 15, txPackets: 2, txDropped: 1, rxPackets: 0 });
    expect(s.interfaces).toEqual([lo, eth]);
    expect(zeroInterfaceStats("x")).toMatchObject({ name: "x", state: "unknown", mtu: 0, addresses: [] });
  });
});
