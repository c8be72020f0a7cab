import type { InterfaceStats } from "@ns/types";

interface Counters {
  bytes?: number;
  packets?: number;
  dropped?: number;
}
interface AddrJson {
  ifname?: string;
  mtu?: number;
  operstate?: string;
  addr_info?: { local?: string; prefixlen?: number }[];
  stats64?: { rx?: Counters; tx?: Counters };
}

/** Turns `ip -j -s addr` output into per-interface stats. */
export function parseInterfaceStats(json: unknown): InterfaceStats[] {
  if (!Array.isArray(json)) return [];
  return (json as AddrJson[]).map((l) => ({
    name: l.ifname ?? "?",
    addresses: (l.addr_info ?? [])
      .filter((a) => a.local !== undefined)
      .map((a) => `${a.local}/${a.prefixlen ?? 32}`),
    mtu: l.mtu ?? 0,
    state: (l.operstate ?? "unknown").toLowerCase(),
    rxBytes: l.stats64?.rx?.bytes ?? 0,
    txBytes: l.stats64?.tx?.bytes ?? 0,
    rxPackets: l.stats64?.rx?.packets ?? 0,
    txPackets: l.stats64?.tx?.packets ?? 0,
    rxDropped: l.stats64?.rx?.dropped ?? 0,
    txDropped: l.stats64?.tx?.dropped ?? 0,
  }));
}
