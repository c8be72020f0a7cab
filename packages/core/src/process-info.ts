import { readFileSync } from "node:fs";

/** Start time of a process in clock ticks since boot (/proc/PID/stat field 22), or undefined when unknown. */
export function processStartTime(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return rest[19];
  } catch {
    return undefined;
  }
}

/** True when a process with this pid exists (and, when given, started at `startTime`, so a reused pid is not mistaken for it). */
export function processAlive(pid: number, startTime?: string): boolean {
  // kill(0 or negative) would signal a whole process group and "succeed".
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (startTime === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === startTime;
}

/** Owner id of this process, for objects that only this process's (memory) store knows: `process:PID:START`. */
export function processOwnerId(pid: number = process.pid): string {
  return `process:${pid}:${processStartTime(pid) ?? "?"}`;
}

/** Whether an owner id names a process that has exited (its objects are anyone's to collect); a `#instance` suffix is ignored. */
export function ownerExited(owner: string): boolean {
  const m = /^process:(\d+):([^#]+)(#.*)?$/.exec(owner);
  if (!m) return false;
  return !processAlive(Number(m[1]), m[2] === "?" ? undefined : m[2]);
}
