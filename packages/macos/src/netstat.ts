import { ipFamily } from "@ns/types";

/** Counters of one interface as `netstat -I <if> -b -d -n` prints them. */
export interface NetstatCounters {
  name: string;
  mtu: number;
  rxPackets: number;
  rxErrors: number;
  rxBytes: number;
  txPackets: number;
  txErrors: number;
  txBytes: number;
  /** Output drops (the `Drop` column of `-d`), 0 when absent. */
  drops: number;
  /** Non-link-local addresses of the interface, in CIDR form (prefix inferred from the Network column). */
  addresses: string[];
  /** False when netstat marks the interface down (a `*` after its name). */
  up: boolean;
}

const num = (v: string | undefined) => (v === undefined || !/^\d+$/.test(v) ? 0 : Number(v));

// netstat prints the network truncated to the mask's whole octets (`192.168.1`) or with a prefix (`::1/128`).
function prefixOf(network: string, family: 4 | 6): number {
  const slash = /\/(\d{1,3})$/.exec(network);
  if (slash) return Number(slash[1]);
  if (family === 4 && /^\d{1,3}(\.\d{1,3}){0,3}$/.test(network)) return network.split(".").length * 8;
  return family === 4 ? 32 : 128;
}

/**
 * Parses `netstat -I <if> -b [-d] -n`. Columns are mapped by the header from the right, because the Address
 * column of the `<Link#n>` row is empty for interfaces without a link address (lo0). Counters come from the
 * link row, the only one with error counts; the address rows give the addresses.
 */
export function parseNetstatInterface(text: string, ifname: string): NetstatCounters | undefined {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const header = lines[0]?.trim().split(/\s+/) ?? [];
  if (header[0] !== "Name" || !header.includes("Ibytes")) return undefined;
  const counterNames = header.slice(4);
  let result: NetstatCounters | undefined;
  const addresses: string[] = [];
  for (const line of lines.slice(1)) {
    const t = line.trim().split(/\s+/);
    if (t[0] !== ifname && t[0] !== `${ifname}*`) continue;
    const values = t.slice(-counterNames.length);
    const col = (name: string) => values[counterNames.indexOf(name)];
    if (t[2]?.startsWith("<Link#")) {
      result = {
        name: ifname,
        mtu: num(t[1]),
        rxPackets: num(col("Ipkts")),
        rxErrors: num(col("Ierrs")),
        rxBytes: num(col("Ibytes")),
        txPackets: num(col("Opkts")),
        txErrors: num(col("Oerrs")),
        txBytes: num(col("Obytes")),
        drops: num(col("Drop")),
        addresses,
        up: t[0] === ifname,
      };
    } else if (t.length === header.length) {
      const addr = t[3] ?? "";
      const family = ipFamily(addr);
      // Link-local rows carry the KAME-embedded scope (fe80:6::...) and are often truncated: left out.
      if (family !== undefined && !/^fe[89ab][0-9a-f]?:/i.test(addr))
        addresses.push(`${addr}/${prefixOf(t[2] ?? "", family)}`);
    }
  }
  return result;
}
