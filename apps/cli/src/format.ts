import type { NamespaceInfo, NamespaceStats, PortForward } from "@ns/types";
import { bytes, keyValues, table } from "./table.ts";

/** `127.0.0.1:8080->80/tcp`. */
export function forwardText(f: PortForward): string {
  const addr =
    f.hostAddr === undefined ? "" : f.hostAddr.includes(":") ? `[${f.hostAddr}]:` : `${f.hostAddr}:`;
  return `${addr}${f.hostPort}->${f.nsPort}/${f.protocol}`;
}

const address = (n: NamespaceInfo) =>
  n.interface ? `${n.interface.ipAddr}/${n.interface.prefixLen}` : n.mode === "full" ? "lo only" : "-";

/** The `ns list` table. */
export function listTable(all: readonly NamespaceInfo[]): string {
  if (all.length === 0) return "no namespaces\n";
  return table(
    ["ID", "MODE", "BACKEND", "ENFORCED", "PID", "ADDRESS", "FORWARDS", "CREATED"],
    all.map((n) => [
      n.id,
      n.mode,
      n.backend,
      n.enforced ? "yes" : "no",
      n.pid === undefined ? "-" : String(n.pid),
      address(n),
      n.portForwards.length === 0 ? "-" : n.portForwards.map(forwardText).join(","),
      n.createdAt,
    ]),
  );
}

/** The `ns info` block. */
export function infoText(n: NamespaceInfo): string {
  const pairs: [string, string][] = [
    ["id", n.id],
    ["mode", n.mode],
    ["backend", n.backend],
    ["enforced", n.enforced ? "yes" : "no (simulated: nothing isolates the process)"],
    ["pid", n.pid === undefined ? "-" : String(n.pid)],
    ["created", n.createdAt],
  ];
  if (n.interface) {
    const i = n.interface;
    pairs.push(["interface", `${i.name} ${i.ipAddr}/${i.prefixLen} mtu ${i.mtu}`]);
    pairs.push(["gateway", i.gateway ?? "-"]);
  }
  if (n.portForwards.length > 0) pairs.push(["forwards", n.portForwards.map(forwardText).join(", ")]);
  if (n.dnsServers.length > 0) pairs.push(["dns", n.dnsServers.join(", ")]);
  if (n.bridge !== undefined) pairs.push(["bridge", n.bridge]);
  if (n.uplink !== undefined) pairs.push(["uplink", n.uplink]);
  if (n.handle !== undefined) pairs.push(["handle", n.handle]);
  for (const [k, v] of Object.entries(n.labels ?? {})) pairs.push([`label ${k}`, v]);
  return keyValues(pairs);
}

/** The `ns stats` table: one row per interface and a total. */
export function statsTable(s: NamespaceStats): string {
  const rows = s.interfaces.map((i) => [
    i.name,
    i.state,
    i.addresses.join(",") || "-",
    bytes(i.rxBytes),
    bytes(i.txBytes),
    String(i.rxPackets),
    String(i.txPackets),
    String(i.rxDropped + i.txDropped),
  ]);
  rows.push([
    "total",
    "",
    "",
    bytes(s.rxBytes),
    bytes(s.txBytes),
    String(s.rxPackets),
    String(s.txPackets),
    String(s.rxDropped + s.txDropped),
  ]);
  return table(["INTERFACE", "STATE", "ADDRESSES", "RX", "TX", "RX PKTS", "TX PKTS", "DROPPED"], rows);
}
