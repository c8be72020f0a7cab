import { FAKE } from "./fake-host.ts";

/** Names and addresses of baseline namespace `i` (pool 10.199.0.0/16, apart from the backend's pool). */
export function baselineSlot(i: number, prefix = "bb") {
  const base = i * 4;
  const a = (k: number) => `10.199.${((base + k) >> 8) & 255}.${(base + k) & 255}`;
  return { ns: `${prefix}${i}`, veth: `v${prefix}${i}`, net: `${a(0)}/30`, gw: a(1), addr: a(2) };
}

/** A baseline slot. */
export type Slot = ReturnType<typeof baselineSlot>;

/** Host port and namespace port of the one forward every private-mode candidate sets up. */
export const FORWARD = { hostPort: 18080, nsPort: 5201 } as const;

/** The nft ruleset a private namespace with one TCP forward needs, as one table of its own. */
export function natTable(s: Slot): string {
  const f = FORWARD;
  const dnat = `tcp dport ${f.hostPort} dnat to ${s.addr}:${f.nsPort}`;
  return [
    `table ip ${s.ns} {`,
    `  chain pre { type nat hook prerouting priority dstnat; policy accept; iifname "${FAKE.uplink}" ${dnat}; }`,
    `  chain out { type nat hook output priority -100; policy accept; ip daddr ${FAKE.hostAddr} ${dnat}; }`,
    `  chain post { type nat hook postrouting priority srcnat; policy accept; ip saddr ${s.net} oifname "${FAKE.uplink}" masquerade; }`,
    `  chain filt { type filter hook forward priority 0; policy accept; iifname "${s.veth}" accept; oifname "${s.veth}" ct state established,related accept; }`,
    "}",
    "",
  ].join("\n");
}

const heredoc = (cmd: string, body: string) => `${cmd} <<'NSXT'\n${body.trimEnd()}\nNSXT\n`;

/** Private namespace + one forward in three calls: ip -batch (host side), ip -n -batch (inside), nft -f. */
export function batchedCreate(i: number): string {
  const s = baselineSlot(i);
  return (
    heredoc(
      "ip -batch -",
      [
        `netns add ${s.ns}`,
        `link add ${s.veth} type veth peer name eth0 netns ${s.ns}`,
        `addr add ${s.gw}/30 dev ${s.veth}`,
        `link set ${s.veth} up`,
      ].join("\n"),
    ) +
    heredoc(
      `ip -n ${s.ns} -batch -`,
      [
        "link set lo up",
        `addr add ${s.addr}/30 dev eth0`,
        "link set eth0 up",
        `route add default via ${s.gw}`,
      ].join("\n"),
    ) +
    heredoc("nft -f -", natTable(s))
  );
}

/** Teardown of batchedCreate in two calls: rules first, then link and namespace. */
export function batchedDestroy(i: number): string {
  const s = baselineSlot(i);
  return `nft delete table ip ${s.ns}\n${heredoc("ip -batch -", `link del ${s.veth}\nnetns del ${s.ns}`)}`;
}

/** The same work with one ip or nft call per step (how most shell tutorials do it). */
export function perStepCreate(i: number): string {
  const s = baselineSlot(i);
  const f = FORWARD;
  const t = `ip ${s.ns}`;
  const dnat = `tcp dport ${f.hostPort} dnat to ${s.addr}:${f.nsPort}`;
  return [
    `ip netns add ${s.ns}`,
    `ip link add ${s.veth} type veth peer name eth0 netns ${s.ns}`,
    `ip addr add ${s.gw}/30 dev ${s.veth}`,
    `ip link set ${s.veth} up`,
    `ip -n ${s.ns} link set lo up`,
    `ip -n ${s.ns} addr add ${s.addr}/30 dev eth0`,
    `ip -n ${s.ns} link set eth0 up`,
    `ip -n ${s.ns} route add default via ${s.gw}`,
    `nft add table ${t}`,
    `nft 'add chain ${t} pre { type nat hook prerouting priority dstnat; policy accept; }'`,
    `nft 'add chain ${t} out { type nat hook output priority -100; policy accept; }'`,
    `nft 'add chain ${t} post { type nat hook postrouting priority srcnat; policy accept; }'`,
    `nft 'add chain ${t} filt { type filter hook forward priority 0; policy accept; }'`,
    `nft add rule ${t} pre iifname ${FAKE.uplink} ${dnat}`,
    `nft add rule ${t} out ip daddr ${FAKE.hostAddr} ${dnat}`,
    `nft add rule ${t} post ip saddr ${s.net} oifname ${FAKE.uplink} masquerade`,
    `nft add rule ${t} filt iifname ${s.veth} accept`,
    `nft add rule ${t} filt oifname ${s.veth} ct state established,related accept`,
    "",
  ].join("\n");
}

/** Teardown of perStepCreate, one call per object. */
export function perStepDestroy(i: number): string {
  const s = baselineSlot(i);
  return `nft delete table ip ${s.ns}\nip link del ${s.veth}\nip netns del ${s.ns}\n`;
}
