import { NFT_FAMILY, NFT_TABLE } from "./names.ts";

/** Sets and maps of our table: per-namespace state lives only here, so rule evaluation stays O(1). */
export const NFT_SETS: Record<string, string> = {
  // host ends of private veths
  priv_ifs: "ifname",
  // anti-spoof: the one source address each private veth may send from
  priv_src: "ifname . ipv4_addr",
  // private veth . uplink: forwarded and masqueraded
  egress: "ifname . ifname",
  // our bridges
  bridges: "ifname",
  // bridge . same bridge: the only forwarding a bridge gets (bridge-internal, seen with br_netfilter)
  bridge_self: "ifname . ifname",
  // forwards of one host address: host addr . host port -> namespace addr . port
  fwd_tcp_addr: "ipv4_addr . inet_service : ipv4_addr . inet_service",
  fwd_udp_addr: "ipv4_addr . inet_service : ipv4_addr . inet_service",
  // forwards of every host address: host port -> namespace addr . port
  fwd_tcp_any: "inet_service : ipv4_addr . inet_service",
  fwd_udp_any: "inet_service : ipv4_addr . inet_service",
};

// Specific host address first, then every local address; a lookup miss falls through to the next rule.
const dnat = () =>
  ["tcp", "udp"].flatMap((p) => [
    `fib daddr type local dnat ip to ip daddr . ${p} dport map @fwd_${p}_addr`,
    `fib daddr type local meta nfproto ipv4 dnat ip to ${p} dport map @fwd_${p}_any`,
  ]);

/** Base chains and their constant rules. Every rule is scoped to our sets: other traffic is never touched. */
export const NFT_CHAINS: { name: string; hook: string; rules: string[] }[] = [
  {
    name: "raw_prerouting",
    hook: "type filter hook prerouting priority raw; policy accept;",
    rules: [
      // route_localnet=1 on our veths must not open the host's loopback to the namespaces.
      "iifname @priv_ifs ip daddr 127.0.0.0/8 drop",
      "iifname @priv_ifs iifname . ip saddr != @priv_src drop",
      "iifname @priv_ifs meta nfproto ipv6 drop",
    ],
  },
  {
    name: "prerouting",
    hook: "type nat hook prerouting priority dstnat; policy accept;",
    rules: [
      "iifname @priv_ifs return",
      "iifname @bridges return",
      // Never DNAT 127/8 arriving from outside: the kernel then drops it as a martian (moby#41872).
      'iifname != "lo" ip daddr 127.0.0.0/8 return',
      ...dnat(),
    ],
  },
  {
    name: "output",
    hook: "type nat hook output priority -100; policy accept;",
    rules: dnat(),
  },
  {
    name: "forward",
    hook: "type filter hook forward priority filter; policy accept;",
    rules: [
      "oifname @priv_ifs ct state established,related accept",
      "oifname @priv_ifs ct status dnat accept",
      "oifname @priv_ifs drop",
      "iifname @priv_ifs ip daddr 169.254.0.0/16 drop",
      "iifname @priv_ifs ct state established,related accept",
      "iifname @priv_ifs iifname . oifname @egress accept",
      "iifname @priv_ifs drop",
      "iifname . oifname @bridge_self accept",
      "iifname @bridges drop",
      "oifname @bridges drop",
    ],
  },
  {
    name: "input",
    hook: "type filter hook input priority filter; policy accept;",
    rules: [
      "iifname @priv_ifs ct state established,related accept",
      "iifname @priv_ifs drop",
      "iifname @bridges drop",
    ],
  },
  {
    name: "output_filter",
    hook: "type filter hook output priority filter; policy accept;",
    rules: ["oifname @bridges drop"],
  },
  {
    name: "postrouting",
    hook: "type nat hook postrouting priority srcnat; policy accept;",
    rules: ["oifname @priv_ifs ip saddr 127.0.0.0/8 masquerade", "iifname . oifname @egress masquerade"],
  },
];

const T = `${NFT_FAMILY} ${NFT_TABLE}`;

/**
 * Declares the table idempotently: `add` keeps existing sets and their elements, the chains are flushed and
 * their rules re-added in the same transaction. Prepended to every change, so a table wiped by
 * `nft flush ruleset` or a firewalld reload comes back with the next operation.
 */
export function baseTableScript(): string {
  const lines = [`add table ${T}`];
  for (const [name, type] of Object.entries(NFT_SETS)) {
    const kind = type.includes(":") ? "map" : "set";
    lines.push(`add ${kind} ${T} ${name} { type ${type}; }`);
  }
  for (const c of NFT_CHAINS) {
    lines.push(`add chain ${T} ${c.name} { ${c.hook} }`);
    lines.push(`flush chain ${T} ${c.name}`);
    for (const r of c.rules) lines.push(`add rule ${T} ${c.name} ${r}`);
  }
  return lines.join("\n");
}

/** One element of one of our sets or maps: `key` (and `value` for maps) in nft syntax. */
export interface NftElement {
  set: string;
  key: string;
  value?: string;
}

/** nft text of an element. */
export function elementText(e: NftElement): string {
  return e.value === undefined ? e.key : `${e.key} : ${e.value}`;
}

/** Script that adds elements, after declaring the table unless `base` is false. */
export function addElementsScript(elements: readonly NftElement[], base = true): string {
  const lines = base ? [baseTableScript()] : [];
  for (const e of elements) lines.push(`add element ${T} ${e.set} { ${elementText(e)} }`);
  return `${lines.join("\n")}\n`;
}

/**
 * Script that removes elements whether or not they exist: each is added (a no-op when present with the same
 * value) and then deleted, in one transaction, so a teardown after a partial create still succeeds.
 */
export function deleteElementsScript(elements: readonly NftElement[], base = true): string {
  const lines = base ? [baseTableScript()] : [];
  for (const e of elements) lines.push(`add element ${T} ${e.set} { ${elementText(e)} }`);
  for (const e of elements) lines.push(`delete element ${T} ${e.set} { ${e.key} }`);
  return `${lines.join("\n")}\n`;
}

/** Script that removes our table with every rule and element; the `add` first makes it succeed when the table is already gone. */
export function deleteTableScript(): string {
  return `add table ${T}\ndelete table ${T}\n`;
}
