import type { KernelDriver } from "./driver.ts";
import { hostStateDir } from "./names.ts";

const IP_FORWARD = "net/ipv4/ip_forward";

function statePath(stateDir: string, hostNetns: string): string {
  return `${hostStateDir(stateDir, hostNetns)}/ip_forward`;
}

/** Turns IPv4 forwarding on, first recording the value it had (once per host network namespace). */
export function enableForwarding(driver: KernelDriver, stateDir: string, hostNetns: string): void {
  const current = driver.readSysctl(IP_FORWARD) ?? "0";
  const path = statePath(stateDir, hostNetns);
  if (!driver.files.exists(path)) driver.files.write(path, current, { mkdir: true });
  if (current !== "1") driver.writeSysctl(IP_FORWARD, "1");
}

/** Puts IPv4 forwarding back to the recorded value: the host is never left more open than before. */
export function restoreForwarding(driver: KernelDriver, stateDir: string, hostNetns: string): void {
  const path = statePath(stateDir, hostNetns);
  const previous = driver.files.read(path)?.trim();
  if (previous === undefined) return;
  if (driver.readSysctl(IP_FORWARD) !== previous) driver.writeSysctl(IP_FORWARD, previous);
  driver.files.remove(path);
}
