import { describe, expect, it } from "vitest";
import { baselineSlot, batchedCreate, batchedDestroy, natTable, perStepCreate } from "./scripts.ts";

describe("baseline scripts", () => {
  it("give each slot its own /30 in 10.199.0.0/16, apart from the backend's pool", () => {
    expect(baselineSlot(0)).toMatchObject({ net: "10.199.0.0/30", gw: "10.199.0.1", addr: "10.199.0.2" });
    expect(baselineSlot(64)).toMatchObject({ net: "10.199.1.0/30", veth: "vbb64", ns: "bb64" });
    expect(baselineSlot(16383).addr).toBe("10.199.255.254");
  });

  it("scope every nft rule to the slot's veth, address or the forward's port", () => {
    const t = natTable(baselineSlot(3));
    expect(t).toContain('iifname "uplink0" tcp dport 18080 dnat to 10.199.0.14:5201');
    expect(t).toContain('ip saddr 10.199.0.12/30 oifname "uplink0" masquerade');
    expect(t).toContain('iifname "vbb3" accept');
  });

  it("do the batched work in three calls and the per-step work in eighteen", () => {
    const calls = (script: string) => script.split("\n").filter((l) => /^(ip|nft) /.test(l)).length;
    expect(calls(batchedCreate(1))).toBe(3);
    expect(calls(perStepCreate(1))).toBe(18);
    expect(batchedDestroy(1)).toMatch(/^nft delete table ip bb1\n/);
  });
});
