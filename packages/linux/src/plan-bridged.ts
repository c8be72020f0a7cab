import { type InterfaceConfig, ipFamily } from "@ns/types";
import { bridgeName, netnsName, vethName } from "./names.ts";
import type { NftElement } from "./nft-table.ts";
import { unsupported } from "./plan-private.ts";
import { emptyPlan, type KernelPlan } from "./plan-types.ts";

/** Everything a bridged namespace is made from. */
export interface BridgedPlanInput {
  id: string;
  /** User-visible bridge name. */
  bridge: string;
  /** Resolved interface inside the bridge subnet. */
  iface: InterfaceConfig;
  /** MTU of the veth ends (and of a new bridge). */
  mtu: number;
  /** The bridge does not exist yet (create) / this is its last member (destroy). */
  firstOrLast: boolean;
}

/** The bridge's elements: in our bridge set, and allowed to forward to itself only. */
export function bridgeElements(bridge: string): NftElement[] {
  const br = bridgeName(bridge);
  return [
    { set: "bridges", key: `"${br}"` },
    { set: "bridge_self", key: `"${br}" . "${br}"` },
  ];
}

/** bridged: veth host end enslaved to `nsb<hash>` (no address on the bridge: the host has no route to it). */
export function planBridgedCreate(input: BridgedPlanInput): KernelPlan {
  if (ipFamily(input.iface.ipAddr) !== 4) throw unsupported("IPv6 bridged addresses");
  const ns = netnsName(input.id);
  const veth = vethName(input.id);
  const br = bridgeName(input.bridge);
  const { iface, mtu } = input;
  const bridgeLines = input.firstOrLast
    ? [`link add ${br} mtu ${mtu} type bridge`, `link set ${br} addrgenmode none`, `link set ${br} up`]
    : [];
  return {
    ...emptyPlan(),
    hostBatch: [
      ...bridgeLines,
      `netns add ${ns}`,
      `link add ${veth} mtu ${mtu} type veth peer name ${iface.name} mtu ${mtu} netns ${ns}`,
      `link set ${veth} addrgenmode none`,
      `link set ${veth} master ${br}`,
      `link set ${veth} up`,
    ],
    nsBatch: [
      "link set lo up",
      `link set ${iface.name} addrgenmode none`,
      `addr add ${iface.ipAddr}/${iface.prefixLen} dev ${iface.name}`,
      `link set ${iface.name} up`,
    ],
    // Added by every member (idempotent), removed with the last one.
    nftElements: bridgeElements(input.bridge),
  };
}

/** Teardown of a bridged namespace; the bridge and its elements go with the last member. */
export function planBridgedDestroy(input: BridgedPlanInput): KernelPlan {
  const lines = [`link del ${vethName(input.id)}`];
  if (input.firstOrLast) lines.push(`link del ${bridgeName(input.bridge)}`);
  lines.push(`netns del ${netnsName(input.id)}`);
  return {
    ...emptyPlan(),
    hostBatch: lines,
    nftElements: input.firstOrLast ? bridgeElements(input.bridge) : [],
  };
}
