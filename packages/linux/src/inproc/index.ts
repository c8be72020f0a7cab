import { NsError } from "@ns/types";
import type { KernelDriver } from "../driver.ts";
import { buildInprocDriver, type InprocDriver, type InprocDriverOptions } from "./driver.ts";
import { loadNative } from "./libc.ts";
import { createNetnsSwitcher, type NetnsSwitcher } from "./netns-ops.ts";

export type { InprocDriver, InprocDriverOptions, InprocStats } from "./driver.ts";
export { errnoCode } from "./driver.ts";
export { type IpOp, parseIpBatch, parseIpLine } from "./ip-lines.ts";

let switcher: NetnsSwitcher | undefined;

/** Builds the in-process driver, or says why it cannot be used on this host / in this process. */
function attempt(options: InprocDriverOptions): { driver?: InprocDriver; reason: string } {
  const native = loadNative();
  if ("reason" in native) return { reason: native.reason };
  const { libc, nft } = native;
  // setns and the saved fd of the original netns belong to one thread: the one that creates the driver.
  if (libc.gettid() !== process.pid)
    return { reason: "not on the main thread (setns is per thread; the process driver is used)" };
  const probe = nft.ctxNew(0);
  if (!probe) return { reason: "nft_ctx_new failed (libnftables unusable)" };
  nft.ctxFree(probe);
  // One per process: it holds an fd of the main thread's netns, and a failed restore concerns every driver.
  try {
    switcher ??= createNetnsSwitcher(libc);
  } catch (e) {
    return { reason: `cannot open the current network namespace: ${(e as Error).message}` };
  }
  return {
    driver: buildInprocDriver({ libc, nft, switcher }, options),
    reason: "in-process driver (koffi: rtnetlink, setns, libnftables)",
  };
}

/**
 * The in-process kernel driver (rtnetlink and libnftables through koffi), or the reason it is not available
 * (koffi or libnftables.so.1 missing, not Linux, not the main thread); callers then use the process driver.
 */
export function tryCreateInprocDriver(options: InprocDriverOptions): {
  driver?: KernelDriver;
  reason: string;
} {
  try {
    return attempt(options);
  } catch (e) {
    return { reason: `in-process driver failed to start: ${(e as Error).message}` };
  }
}

/** The in-process kernel driver; throws ERR_NS_UNSUPPORTED when it cannot be used here. */
export function createInprocDriver(options: InprocDriverOptions): InprocDriver {
  const r = attempt(options);
  if (!r.driver)
    throw new NsError("ERR_NS_UNSUPPORTED", `in-process kernel driver unavailable: ${r.reason}`, {
      hint: "install the optional dependency koffi and libnftables1, or use the process driver",
    });
  return r.driver;
}
