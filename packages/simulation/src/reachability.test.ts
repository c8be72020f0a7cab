import type { NamespaceInfo } from "@ns/types";
import { describe, expect, it } from "vitest";
import { canReach, type Endpoint, forwardOwner } from "./reachability.ts";

type Ns = Pick<NamespaceInfo, "id" | "mode" | "bridge" | "portForwards">;
const ns = (id: string, mode: Ns["mode"], extra: Partial<Ns> = {}): Endpoint => ({
  kind: "namespace",
  ns: { id, mode, portForwards: [], ...extra },
});
const host: Endpoint = { kind: "host" };
const upstream: Endpoint = { kind: "upstream" };
const full = ns("full", "full");
const privA = ns("a", "private");
const privB = ns("b", "private");
const x1 = ns("x1", "bridged", { bridge: "x" });
const x2 = ns("x2", "bridged", { bridge: "x" });
const y1 = ns("y1", "bridged", { bridge: "y" });
const shared = ns("s", "shared");
const tcp = { protocol: "tcp" as const, port: 8080 };

describe("reachability model", () => {
  it("a fully isolated namespace reaches nothing and nothing reaches it", () => {
    for (const other of [host, upstream, privA, x1, shared]) {
      expect(canReach(full, other, tcp)).toBe(false);
      expect(canReach(other, full, tcp)).toBe(false);
    }
    expect(canReach(full, full, tcp)).toBe(true);
  });

  it("a private namespace reaches the upstream network but not the host or its peers", () => {
    expect(canReach(privA, upstream, tcp)).toBe(true);
    expect(canReach(privA, upstream, { protocol: "icmp" })).toBe(true);
    expect(canReach(privA, host, tcp)).toBe(false);
    expect(canReach(privA, shared, tcp)).toBe(false);
    expect(canReach(privA, privB, tcp)).toBe(false);
    expect(canReach(privA, x1, tcp)).toBe(false);
  });

  it("the host reaches a private namespace, the upstream network does not", () => {
    expect(canReach(host, privA, tcp)).toBe(true);
    expect(canReach(shared, privA, tcp)).toBe(true);
    expect(canReach(upstream, privA, tcp)).toBe(false);
  });

  it("bridged namespaces reach their own bridge only", () => {
    expect(canReach(x1, x2, tcp)).toBe(true);
    expect(canReach(x2, x1, { protocol: "udp", port: 53 })).toBe(true);
    expect(canReach(x1, y1, tcp)).toBe(false);
    expect(canReach(x1, host, tcp)).toBe(false);
    expect(canReach(host, x1, tcp)).toBe(false);
    expect(canReach(x1, upstream, tcp)).toBe(false);
    expect(canReach(upstream, x1, tcp)).toBe(false);
  });

  it("a shared namespace is the host", () => {
    expect(canReach(shared, upstream, tcp)).toBe(true);
    expect(canReach(upstream, shared, tcp)).toBe(true);
    expect(canReach(shared, host, tcp)).toBe(true);
    expect(canReach(host, upstream, { protocol: "icmp" })).toBe(true);
  });

  it("a forwarded host port reaches its namespace from the host and upstream only", () => {
    const fwd = ns("f", "private", { portForwards: [{ hostPort: 18080, nsPort: 80, protocol: "tcp" }] });
    const all = [fwd, privA, x1];
    const probe = { protocol: "tcp" as const, port: 18080 };
    expect(canReach(host, host, probe, all)).toBe(true);
    expect(canReach(upstream, host, probe, all)).toBe(true);
    expect(canReach(shared, host, probe, all)).toBe(true);
    expect(canReach(privA, host, probe, all)).toBe(false);
    expect(canReach(x1, host, probe, all)).toBe(false);
    expect(canReach(upstream, host, { protocol: "udp", port: 18080 }, all)).toBe(true);
    if (fwd.kind === "namespace") expect(forwardOwner([fwd.ns], probe)?.id).toBe("f");
    expect(forwardOwner([], { protocol: "icmp" })).toBeUndefined();
  });
});
