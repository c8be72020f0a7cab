import type { CommandRunner } from "@ns/core";
import { type InterfaceStats, type NamespaceStats, sumInterfaceStats, zeroInterfaceStats } from "@ns/types";
import { parseNetstatInterface } from "./netstat.ts";
import type { PfInfo } from "./pf-output.ts";
import type { PfDriver } from "./pfctl.ts";
import { safeIfName } from "./safe.ts";

/** What stats are read with. */
export interface StatsContext {
  runner: CommandRunner;
  pf: PfDriver;
  netstat: string;
}

const empty = (name: string, state: string) => zeroInterfaceStats(name, { state });

// pf counts only its log interface (`set loginterface`), and only passed/blocked packets and bytes.
function fromPf(name: string, info: PfInfo | undefined): InterfaceStats {
  const i = info?.iface;
  if (!i || i.name !== name) return empty(name, "unknown");
  return {
    ...empty(name, info?.enabled ? "up" : "unknown"),
    rxBytes: i.bytesIn,
    txBytes: i.bytesOut,
    rxPackets: i.packetsInPassed + i.packetsInBlocked,
    txPackets: i.packetsOutPassed + i.packetsOutBlocked,
    rxDropped: i.packetsInBlocked,
    txDropped: i.packetsOutBlocked,
  };
}

/** Counters of one host interface: `netstat -I <if> -b -d -n`, else `pfctl -s info`, else zeros marked unknown. */
export async function interfaceStats(
  ctx: StatsContext,
  ifname: string,
  pfInfo: () => Promise<PfInfo | undefined>,
): Promise<InterfaceStats> {
  const name = safeIfName(ifname, "interface");
  const r = await ctx.runner
    .run(ctx.netstat, ["-I", name, "-b", "-d", "-n"], { allowFailure: true })
    .catch(() => undefined);
  const c = r && r.exitCode === 0 ? parseNetstatInterface(r.stdout, name) : undefined;
  if (!c) return fromPf(name, await pfInfo());
  return {
    name,
    addresses: c.addresses,
    mtu: c.mtu,
    state: c.up ? "up" : "down",
    rxBytes: c.rxBytes,
    txBytes: c.txBytes,
    rxPackets: c.rxPackets,
    txPackets: c.txPackets,
    rxDropped: c.rxErrors,
    txDropped: c.txErrors + c.drops,
  };
}

/**
 * Stats of a namespace: the counters of the host interfaces it uses (lo0; the uplink too in private mode).
 * They are host-wide: the process shares the host's stack and neither netstat nor pf counts per process.
 */
export async function namespaceStats(
  ctx: StatsContext,
  id: string,
  createdAt: string,
  ifnames: readonly string[],
): Promise<NamespaceStats> {
  let info: Promise<PfInfo | undefined> | undefined;
  const pfInfo = () => {
    info ??= ctx.pf.info().catch(() => undefined);
    return info;
  };
  const interfaces: InterfaceStats[] = [];
  for (const n of ifnames) interfaces.push(await interfaceStats(ctx, n, pfInfo));
  return sumInterfaceStats(id, createdAt, interfaces);
}
