import { NsError } from "@ns/types";
import type { KernelDriver } from "./driver.ts";

/** The interface private namespaces NAT out of, with its MTU. */
export interface Uplink {
  name: string;
  mtu: number;
}

interface RouteJson {
  dev?: string;
  table?: string;
}
interface LinkJson {
  ifname?: string;
  mtu?: number;
}

/** Resolves the uplink: the wanted interface, or the default route's device (main table first, then any table). */
export async function resolveUplink(driver: KernelDriver, wanted?: string): Promise<Uplink> {
  let name = wanted;
  if (name === undefined) {
    const routes = (await driver.ipJson(["route", "show", "default", "table", "all"])) as RouteJson[];
    const withDev = routes.filter((r) => r.dev !== undefined);
    name = (withDev.find((r) => r.table === undefined || r.table === "main") ?? withDev[0])?.dev;
    if (name === undefined)
      throw new NsError("ERR_NS_INVALID_CONFIG", "no default route: cannot pick an uplink for NAT", {
        hint: "pass uplink in the config or the backend options",
      });
  }
  if (!driver.linkExists(name))
    throw new NsError("ERR_NS_INVALID_CONFIG", `uplink ${name} does not exist`, {
      hint: "name an existing interface of the host (ip link) as uplink",
      details: { uplink: name },
    });
  const links = (await driver.ipJson(["link", "show", "dev", name])) as LinkJson[];
  return { name, mtu: links[0]?.mtu ?? 1500 };
}

/** Resolves uplinks with a short cache: the default route and MTU rarely change, and each lookup is a process. */
export function createUplinkResolver(
  driver: KernelDriver,
  ttlMs = 5000,
): (wanted?: string) => Promise<Uplink> {
  const cache = new Map<string, { at: number; uplink: Uplink }>();
  return async (wanted) => {
    const key = wanted ?? "";
    const hit = cache.get(key);
    // Still checked against the live link list (no process): a vanished uplink is never used from the cache.
    if (hit && Date.now() - hit.at < ttlMs && driver.linkExists(hit.uplink.name)) return hit.uplink;
    const uplink = await resolveUplink(driver, wanted);
    cache.set(key, { at: Date.now(), uplink });
    return uplink;
  };
}
