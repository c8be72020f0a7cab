import { isNsError, NsError } from "@ns/types";

const HINTS: [RegExp, string][] = [
  [
    /Protocol not supported|Operation not supported/i,
    "the kernel lacks a feature we use (nf_tables, nft_fib, nft_nat, veth or bridge): load the module or use a kernel built with it",
  ],
  [/Unknown device type/i, "the kernel has no veth or bridge support: load the veth/bridge module"],
  [
    /Cannot open network namespace|No such file or directory.*netns/i,
    "the named namespace is gone; `ns gc` removes its record",
  ],
];

/** Adds a Linux-specific hint to a failed ip/nft command's error (kernel features, vanished namespaces). */
export function withLinuxHint(e: unknown): unknown {
  if (!isNsError(e) || e.code !== "ERR_NS_COMMAND_FAILED") return e;
  const stderr = String(e.details.stderr ?? "");
  const hit = HINTS.find(([re]) => re.test(stderr));
  if (!hit) return e;
  return new NsError(e.code, e.message, { hint: hit[1], cause: e.cause ?? e, details: e.details });
}
