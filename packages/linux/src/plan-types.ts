import type { NftElement } from "./nft-table.ts";

/** What creating (or destroying) one namespace does, as plain data; the backend applies it in few round trips. */
export interface KernelPlan {
  /** Lines of one `ip -batch -` in the host network namespace. */
  hostBatch: string[];
  /** Lines of one `ip -batch -` inside the namespace (via nsenter). */
  nsBatch: string[];
  /** Elements of our nft table that belong to the namespace. */
  nftElements: NftElement[];
  /** Sysctls of the host to write: [key under /proc/sys, value]. */
  sysctls: [string, string][];
  /** Host ports whose conntrack entries are flushed. */
  conntrack: { protocol: "tcp" | "udp"; port: number }[];
}

/** An empty plan. */
export function emptyPlan(): KernelPlan {
  return { hostBatch: [], nsBatch: [], nftElements: [], sysctls: [], conntrack: [] };
}
