import { type InterfaceConfig, ipFamily, NsError, type PortForward } from "@ns/types";
import { netnsName, vethMacs, vethName } from "./names.ts";
import type { NftElement } from "./nft-table.ts";
import { emptyPlan, type KernelPlan } from "./plan-types.ts";

/** Everything a private namespace is made from. */
export interface PrivatePlanInput {
  id: string;
  /** Resolved interface: namespace address, gateway (the host end), prefix. */
  iface: InterfaceConfig;
  /** MTU of both veth ends. */
  mtu: number;
  /** Interface to NAT out of. */
  uplink: string;
  /** Host-to-namespace forwards. */
  forwards: readonly PortForward[];
}

/** ERR_NS_UNSUPPORTED for what the Linux backend does not implement yet (IPv6 in private and bridged). */
export function unsupported(what: string): NsError {
  return new NsError("ERR_NS_UNSUPPORTED", `the linux backend does not implement ${what} yet`, {
    hint: "use an IPv4 address (the default pool is IPv4)",
  });
}

/** Throws ERR_NS_UNSUPPORTED for IPv6 addresses, which private mode does not route yet. */
export function checkPrivateIpv4(iface: InterfaceConfig, forwards: readonly PortForward[]): void {
  if (ipFamily(iface.ipAddr) !== 4 || (iface.gateway && ipFamily(iface.gateway) !== 4))
    throw unsupported("IPv6 addresses in private mode");
  for (const f of forwards)
    if (f.hostAddr !== undefined && ipFamily(f.hostAddr) !== 4)
      throw unsupported("port forwards on IPv6 host addresses (route_localnet is IPv4 only)");
}

/** The nft elements of a private namespace: its veth, its one source address, its egress pair, its forwards. */
export function privateElements(input: PrivatePlanInput): NftElement[] {
  const veth = vethName(input.id);
  const out: NftElement[] = [
    { set: "priv_ifs", key: `"${veth}"` },
    { set: "priv_src", key: `"${veth}" . ${input.iface.ipAddr}` },
    { set: "egress", key: `"${veth}" . "${input.uplink}"` },
  ];
  for (const f of input.forwards) {
    const value = `${input.iface.ipAddr} . ${f.nsPort}`;
    if (f.hostAddr !== undefined)
      out.push({ set: `fwd_${f.protocol}_addr`, key: `${f.hostAddr} . ${f.hostPort}`, value });
    else out.push({ set: `fwd_${f.protocol}_any`, key: String(f.hostPort), value });
  }
  return out;
}

/** Per-veth sysctls of a private namespace: loose rp_filter, and route_localnet when forwards accept 127.0.0.1. */
export function privateSysctls(veth: string, forwards: boolean): [string, string][] {
  const out: [string, string][] = [[`net/ipv4/conf/${veth}/rp_filter`, "2"]];
  if (forwards) out.push([`net/ipv4/conf/${veth}/route_localnet`, "1"]);
  return out;
}

/** private: a routed veth pair (no bridge), the host end holds the gateway, NAT out of the uplink. */
export function planPrivateCreate(input: PrivatePlanInput): KernelPlan {
  checkPrivateIpv4(input.iface, input.forwards);
  const ns = netnsName(input.id);
  const veth = vethName(input.id);
  const { iface, mtu } = input;
  const gw = iface.gateway!;
  const mac = vethMacs(input.id);
  const sysctls = privateSysctls(veth, input.forwards.length > 0);
  return {
    ...emptyPlan(),
    hostBatch: [
      `netns add ${ns}`,
      `link add ${veth} address ${mac.host} mtu ${mtu} type veth peer name ${iface.name} address ${mac.ns} mtu ${mtu} netns ${ns}`,
      `link set ${veth} addrgenmode none`,
      `addr add ${gw}/${iface.prefixLen} dev ${veth}`,
      `link set ${veth} up`,
      `neigh replace ${iface.ipAddr} lladdr ${mac.ns} dev ${veth} nud permanent`,
    ],
    nsBatch: [
      "link set lo up",
      `link set ${iface.name} addrgenmode none`,
      `addr add ${iface.ipAddr}/${iface.prefixLen} dev ${iface.name}`,
      `link set ${iface.name} up`,
      `neigh replace ${gw} lladdr ${mac.host} dev ${iface.name} nud permanent`,
      `route add default via ${gw}`,
    ],
    nftElements: privateElements(input),
    sysctls,
    // Stale UDP entries of an earlier forward of these ports would keep sending to the old address (CNI #123).
    conntrack: input.forwards
      .filter((f) => f.protocol === "udp")
      .map((f) => ({ protocol: f.protocol, port: f.hostPort })),
  };
}

/** Teardown of a private namespace: elements, conntrack entries of its host ports, veth, netns. */
export function planPrivateDestroy(input: PrivatePlanInput): KernelPlan {
  return {
    ...emptyPlan(),
    hostBatch: [`link del ${vethName(input.id)}`, `netns del ${netnsName(input.id)}`],
    nftElements: privateElements(input),
    conntrack: input.forwards.flatMap((f) => [
      { protocol: "tcp" as const, port: f.hostPort },
      { protocol: "udp" as const, port: f.hostPort },
    ]),
  };
}
