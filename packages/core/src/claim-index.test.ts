import { NamespaceConfig } from "@ns/types";
import { describe, expect, it } from "vitest";
import { createClaimIndex } from "./claim-index.ts";
import { allocate } from "./ipam.ts";
import type { Claim } from "./store/store.ts";

describe("claim index", () => {
  it("allocates exactly as a scan of every claim does, through creates and removals", () => {
    const index = createClaimIndex();
    let held: Claim[] = [];
    const now = new Date(0);
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const live: string[] = [];
    for (let step = 0; step < 400; step++) {
      if (live.length > 0 && rand(3) === 0) {
        const id = live.splice(rand(live.length), 1)[0]!;
        index.removeOwner(
          id,
          held.filter((c) => c.namespaceId === id),
        );
        held = held.filter((c) => c.namespaceId !== id);
        continue;
      }
      const id = `ns-${step}`;
      const kind = rand(3);
      const config =
        kind === 0
          ? NamespaceConfig.bridged(undefined, `br${rand(3)}`, { id })
          : NamespaceConfig.privateNetwork(undefined, {
              id,
              portForwards: kind === 1 ? [{ hostPort: 8000 + rand(20), nsPort: 80, protocol: "tcp" }] : [],
            });
      let viaScan: unknown;
      let viaIndex: unknown;
      try {
        viaScan = allocate(config, held, {}, now);
      } catch (e) {
        viaScan = (e as { code: string }).code;
      }
      try {
        viaIndex = allocate(config, index, {}, now);
      } catch (e) {
        viaIndex = (e as { code: string }).code;
      }
      expect(viaIndex).toEqual(viaScan);
      if (typeof viaIndex === "object" && viaIndex !== null) {
        const claims = (viaIndex as { claims: Claim[] }).claims;
        for (const c of claims) index.add(c);
        held = held.concat(claims);
        live.push(id);
      }
    }
    expect(live.length).toBeGreaterThan(50);
  });

  it("forgets a bridge's subnet with its last member and a port with its owner", () => {
    const index = createClaimIndex([
      { kind: "bridge", key: "x", value: "10.201.0.0/24", namespaceId: "a" },
      { kind: "bridge", key: "x", value: "10.201.0.0/24", namespaceId: "b" },
      { kind: "port", key: "tcp/*/80", namespaceId: "a" },
      { kind: "port", key: "tcp/127.0.0.1/80", namespaceId: "b" },
    ]);
    const a = [
      { kind: "bridge", key: "x", value: "10.201.0.0/24", namespaceId: "a" },
      { kind: "port", key: "tcp/*/80", namespaceId: "a" },
    ] as Claim[];
    index.removeOwner("a", a);
    expect(index.bridgeSubnet("x")).toBe("10.201.0.0/24");
    expect(index.ports("tcp", 80).map((c) => c.namespaceId)).toEqual(["b"]);
    index.removeOwner("b", [
      { kind: "bridge", key: "x", value: "10.201.0.0/24", namespaceId: "b" },
      { kind: "port", key: "tcp/127.0.0.1/80", namespaceId: "b" },
    ]);
    expect(index.bridgeSubnet("x")).toBeUndefined();
    expect(index.ports("tcp", 80)).toEqual([]);
    expect([...index.subnets()]).toEqual([]);
  });
});
