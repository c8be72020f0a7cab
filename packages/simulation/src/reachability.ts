import type { NamespaceInfo } from "@ns/types";

/** One end of a probe: a namespace, the host itself, or the upstream network beyond the uplink. */
export type Endpoint =
  | { kind: "namespace"; ns: Pick<NamespaceInfo, "id" | "mode" | "bridge" | "portForwards"> }
  | { kind: "host" }
  | { kind: "upstream" };

/** What is sent: a new TCP connection, a UDP request expecting a reply, or an ICMP echo. */
export interface Probe {
  protocol: "tcp" | "udp" | "icmp";
  /** Destination port (tcp/udp). */
  port?: number;
}

/** The namespace that receives a forwarded host port, if any. */
export function forwardOwner(
  all: readonly Pick<NamespaceInfo, "id" | "mode" | "bridge" | "portForwards">[],
  probe: Probe,
): Pick<NamespaceInfo, "id" | "mode" | "bridge" | "portForwards"> | undefined {
  if (probe.protocol === "icmp" || probe.port === undefined) return undefined;
  return all.find(
    (n) =>
      n.mode === "private" &&
      n.portForwards.some((f) => f.protocol === probe.protocol && f.hostPort === probe.port),
  );
}

type Place = "host" | "upstream" | { ns: Pick<NamespaceInfo, "id" | "mode" | "bridge" | "portForwards"> };

// A shared namespace is the host's stack: it is the host for every probe.
function place(e: Endpoint): Place {
  if (e.kind !== "namespace") return e.kind;
  return e.ns.mode === "shared" ? "host" : { ns: e.ns };
}

/**
 * The written semantics of every mode: can `from` open a connection (or get an echo) to a service on `to`?
 * Traffic to the host's forwarded ports is asked with `to = host` and the port: pass `namespaces` to resolve forwards.
 * The Linux backend must match this table packet for packet (its isolation-matrix test checks it).
 */
export function canReach(
  from: Endpoint,
  to: Endpoint,
  probe: Probe,
  namespaces: readonly Endpoint[] = [],
): boolean {
  const a = place(from);
  const b = place(to);
  if (typeof a === "string" && typeof b === "string") return true; // host <-> upstream, host itself, upstream itself
  if (typeof a !== "string" && typeof b !== "string" && a.ns.id === b.ns.id) return true; // inside one namespace
  if (b === "host") {
    const owner = forwardOwner(
      namespaces.flatMap((n) => (n.kind === "namespace" ? [n.ns] : [])),
      probe,
    );
    if (owner) return a === "host" || a === "upstream";
  }
  if (typeof a !== "string") {
    const m = a.ns.mode;
    if (m === "full") return false;
    if (m === "private") return b === "upstream"; // NAT out; never the host, another namespace or a bridge
    if (m === "bridged")
      return typeof b !== "string" && b.ns.mode === "bridged" && b.ns.bridge === a.ns.bridge;
  }
  if (typeof b !== "string") {
    // a is host or upstream here.
    if (b.ns.mode === "private") return a === "host"; // the host routes to its own gateway subnet; upstream has no route
    return false; // full: nothing; bridged: isolated from the host both ways
  }
  return false;
}
