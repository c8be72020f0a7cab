import { statSync } from "node:fs";

/** Identity of the network namespace this process runs in (inode of /proc/self/ns/net). */
export function currentNetnsId(): string {
  return String(statSync("/proc/self/ns/net").ino);
}

/** Identity of a named namespace (inode of its bind mount), or undefined when it does not exist. */
export function netnsIdOfPath(path: string): string | undefined {
  try {
    return String(statSync(path).ino);
  } catch {
    return undefined;
  }
}
