import type { InterfaceStats, NamespaceStats } from "./model.ts";

/** Interface stats with every counter at zero. */
export function zeroInterfaceStats(
  name: string,
  init: Partial<Omit<InterfaceStats, "name">> = {},
): InterfaceStats {
  return {
    name,
    addresses: [],
    mtu: 0,
    state: "unknown",
    rxBytes: 0,
    txBytes: 0,
    rxPackets: 0,
    txPackets: 0,
    rxDropped: 0,
    txDropped: 0,
    ...init,
  };
}

/** Namespace stats as the sum of its interfaces' counters. */
export function sumInterfaceStats(
  id: string,
  createdAt: string,
  interfaces: InterfaceStats[],
): NamespaceStats {
  const sum = (k: "rxBytes" | "txBytes" | "rxPackets" | "txPackets" | "rxDropped" | "txDropped") =>
    interfaces.reduce((n, i) => n + i[k], 0);
  return {
    id,
    createdAt,
    rxBytes: sum("rxBytes"),
    txBytes: sum("txBytes"),
    rxPackets: sum("rxPackets"),
    txPackets: sum("txPackets"),
    rxDropped: sum("rxDropped"),
    txDropped: sum("txDropped"),
    interfaces,
  };
}
