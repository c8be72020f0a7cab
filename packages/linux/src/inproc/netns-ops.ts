import { closeSync, constants, mkdirSync, openSync, readFileSync, unlinkSync } from "node:fs";
import { NsError } from "@ns/types";
import type { LibC } from "./libc.ts";

const CLONE_NEWNET = 0x40000000;
const MS_BIND = 0x1000;
const MNT_DETACH = 2;

/** A failed system call: errno plus the text `ip` would print. */
export class SysError extends Error {
  constructor(
    readonly errno: number,
    message: string,
  ) {
    super(message);
    this.name = "SysError";
  }
}

/** Runs fs work synchronously, turning Node's error into a SysError with its errno. */
function fsCall<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new SysError(-(err.errno ?? -5), `${what}: ${err.message.replace(/^[A-Z]+: /, "")}`);
  }
}

/**
 * Moves the calling thread between network namespaces. setns affects the calling thread only, so every
 * switch is undone before returning, synchronously, on the thread that made it; a failed restore leaves the
 * thread in the wrong netns, so the switcher refuses all further work.
 */
export interface NetnsSwitcher {
  /** Runs `fn` with the calling thread inside the netns at `path` (open fd of the netns file). */
  within<T>(path: string, fn: () => T): T;
  /** Creates a named netns at `path` (as `ip netns add` does: file, unshare, bind mount) and returns. */
  add(path: string): void;
  /** Removes a named netns (as `ip netns del`: lazy unmount, unlink). */
  remove(path: string): void;
  /** Why the switcher is unusable, once a restore has failed. */
  broken(): string | undefined;
}

/** A switcher bound to the calling thread (the main thread) and its current netns. */
export function createNetnsSwitcher(libc: LibC): NetnsSwitcher {
  const tid = libc.gettid();
  const home = openSync(`/proc/self/task/${tid}/ns/net`, constants.O_RDONLY);
  let brokenReason: string | undefined;

  const check = () => {
    if (brokenReason)
      throw new NsError("ERR_NS_INTERNAL", `in-process kernel driver unusable: ${brokenReason}`, {
        hint: "restart the process; the main thread may sit in another network namespace",
      });
    if (libc.gettid() !== tid)
      throw new NsError("ERR_NS_INTERNAL", "in-process netns switch attempted off the thread that owns it");
  };
  const restore = () => {
    if (libc.setns(home, CLONE_NEWNET) !== 0) {
      brokenReason = `setns back to the original netns failed: ${libc.strerror(libc.errno())}`;
      throw new NsError("ERR_NS_INTERNAL", `in-process kernel driver: ${brokenReason}`, {
        hint: "restart the process; the main thread may sit in another network namespace",
      });
    }
  };
  return {
    within(path, fn) {
      check();
      const fd = fsCall(`Cannot open network namespace "${path}"`, () => openSync(path, constants.O_RDONLY));
      try {
        if (libc.setns(fd, CLONE_NEWNET) !== 0) {
          const errno = libc.errno();
          throw new SysError(
            errno,
            `setting the network namespace "${path}" failed: ${libc.strerror(errno)}`,
          );
        }
        try {
          return fn();
        } finally {
          restore();
        }
      } finally {
        closeSync(fd);
      }
    },
    add(path) {
      check();
      const dir = path.slice(0, path.lastIndexOf("/"));
      fsCall(`mkdir ${dir} failed`, () => mkdirSync(dir, { recursive: true, mode: 0o755 }));
      const fd = fsCall(`Cannot create namespace file "${path}"`, () =>
        openSync(path, constants.O_RDONLY | constants.O_CREAT | constants.O_EXCL, 0),
      );
      closeSync(fd);
      let failure: SysError | undefined;
      if (libc.unshare(CLONE_NEWNET) !== 0) {
        const errno = libc.errno();
        failure = new SysError(
          errno,
          `Failed to create a new network namespace "${path}": ${libc.strerror(errno)}`,
        );
      } else {
        try {
          if (libc.mount(`/proc/self/task/${tid}/ns/net`, path, "none", MS_BIND, null) !== 0) {
            const errno = libc.errno();
            failure = new SysError(
              errno,
              `Bind /proc/self/ns/net -> ${path} failed: ${libc.strerror(errno)}`,
            );
          }
        } finally {
          restore();
        }
      }
      if (failure) {
        try {
          unlinkSync(path);
        } catch {
          // Nothing to remove.
        }
        throw failure;
      }
    },
    remove(path) {
      check();
      libc.umount2(path, MNT_DETACH);
      fsCall(`Cannot remove namespace file "${path}"`, () => unlinkSync(path));
    },
    broken: () => brokenReason,
  };
}

/** Whether `dir` is a mount point with shared propagation (as `ip netns add` leaves /run/netns). */
export function isSharedMount(dir: string, mountinfo?: string): boolean {
  let text = mountinfo;
  if (text === undefined)
    try {
      text = readFileSync("/proc/self/mountinfo", "utf8");
    } catch {
      return false;
    }
  let shared = false;
  for (const line of text.split("\n")) {
    const f = line.split(" ");
    // The last mount on a mount point wins (later lines stack on earlier ones).
    if (f[4] === dir) {
      const sep = f.indexOf("-");
      shared = f.slice(6, sep).some((o) => o.startsWith("shared:"));
    }
  }
  return shared;
}
