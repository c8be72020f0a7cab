import { spawn } from "node:child_process";
import { closeSync, constants, mkdirSync, openSync } from "node:fs";
import { NsError } from "@ns/types";
import { loadNative } from "./inproc/libc.ts";

/**
 * A lock shared by every process on this host that manages our kernel objects. The decisions that read the
 * markers and then act on shared objects (drop the nft table with the last namespace, restore ip_forward,
 * delete a bridge with its last member) are only safe when no other process creates a namespace in between:
 * a table dropped under a namespace that just added its elements leaves that namespace unfiltered.
 */
export interface HostLock {
  /** Which implementation, for diagnostics: "flock", "flock(1)" or "process". */
  readonly kind: string;
  /** Runs `fn` while holding the lock named `key` ("global", "bridge:NAME") against every other process. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** How long an acquisition waits for another process before failing with ERR_NS_STATE (default). */
export const DEFAULT_HOST_LOCK_TIMEOUT_MS = 30_000;

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/**
 * The lock file of `key` in `dir` (the backend uses `<stateDir>/hosts/<host netns>`: the shared decisions are per
 * host network namespace). Lock files are not deleted while their host namespace lives: that would race.
 */
export function hostLockPath(dir: string, key: string): string {
  if (!KEY_RE.test(key) || key.length > 80)
    throw new NsError("ERR_NS_INTERNAL", `invalid host lock key ${JSON.stringify(key)}`);
  return `${dir}/locks/${key.replace(/:/g, "-")}.lock`;
}

function timeoutError(path: string, timeoutMs: number): NsError {
  return new NsError(
    "ERR_NS_STATE",
    `the ns host lock ${path} stayed held by another process for more than ${timeoutMs} ms`,
    {
      hint: "another ns process is changing this host's namespaces; if none is running, report it (a lock is released when its process exits)",
      details: { path, timeoutMs },
    },
  );
}

/** Creates the lock file (mode 0600, in a 0700 directory) and opens it; file system errors become NsErrors. */
function openLockFile(dir: string, path: string): number {
  try {
    mkdirSync(`${dir}/locks`, { recursive: true, mode: 0o700 });
    // libuv opens with O_CLOEXEC: children we spawn never inherit (and so never hold) the lock.
    return openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const denied = code === "EACCES" || code === "EPERM" || code === "EROFS";
    throw new NsError(
      denied ? "ERR_NS_PERMISSION" : "ERR_NS_STATE",
      `cannot open the ns host lock ${path}: ${(e as Error).message}`,
      {
        hint: denied
          ? "run as root (the Linux backend needs CAP_NET_ADMIN and writes its state under /run/ns)"
          : "the ns state directory must be on a local, writable file system",
        cause: e,
        details: { path, errno: code },
      },
    );
  }
}

/** Only this process's own serialisation: for unit tests with fake files, where no other process exists. */
export const PROCESS_LOCAL_LOCK: HostLock = { kind: "process", run: (_key, fn) => fn() };

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;
const EINTR = 4;
const EWOULDBLOCK = 11;

/** Options of createFlockHostLock. */
export interface FlockHostLockOptions {
  /** Lock files live in its `locks/` (the backend passes `<stateDir>/hosts/<host netns>`). */
  dir: string;
  /** flock(2) (koffi-bound libc); -1 with errno on failure. */
  flock(fd: number, operation: number): number;
  /** errno of the last call. */
  errno(): number;
  /** Wait for another process at most this long (default 30 s). */
  timeoutMs?: number;
}

/**
 * flock(2) through the in-process driver's libc binding: a few microseconds uncontended, polled without
 * blocking the event loop when contended, and released by the kernel if this process dies holding it.
 */
export function createFlockHostLock(options: FlockHostLockOptions): HostLock {
  const timeoutMs = options.timeoutMs ?? DEFAULT_HOST_LOCK_TIMEOUT_MS;
  return {
    kind: "flock",
    async run(key, fn) {
      const path = hostLockPath(options.dir, key);
      const fd = openLockFile(options.dir, path);
      try {
        const deadline = Date.now() + timeoutMs;
        for (let wait = 1; ; wait = Math.min(wait * 2, 16)) {
          if (options.flock(fd, LOCK_EX | LOCK_NB) === 0) break;
          const errno = options.errno();
          if (errno === EINTR) continue;
          if (errno !== EWOULDBLOCK)
            throw new NsError("ERR_NS_STATE", `flock ${path} failed (errno ${errno})`, {
              hint: "the ns state directory must be on a local file system that supports flock",
              details: { path, errno },
            });
          if (Date.now() >= deadline) throw timeoutError(path, timeoutMs);
          await new Promise((r) => setTimeout(r, wait));
        }
        try {
          return await fn();
        } finally {
          options.flock(fd, LOCK_UN);
        }
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** Options of createHelperHostLock. */
export interface HelperHostLockOptions {
  /** Lock files live in its `locks/` (the backend passes `<stateDir>/hosts/<host netns>`). */
  dir: string;
  /** Wait for another process at most this long (default 30 s). */
  timeoutMs?: number;
  /** The flock(1) binary (default "flock", util-linux). */
  flockBinary?: string;
}

/**
 * flock(1) (util-linux, like nsenter) holding the lock in a helper process for the process driver, which has
 * no libc binding: the helper prints a line once it holds the lock and keeps it until its stdin closes, which
 * also happens when this process dies. Costs one spawn (~2 ms) per acquisition.
 */
export function createHelperHostLock(options: HelperHostLockOptions): HostLock {
  const timeoutMs = options.timeoutMs ?? DEFAULT_HOST_LOCK_TIMEOUT_MS;
  const bin = options.flockBinary ?? "flock";
  return {
    kind: "flock(1)",
    async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const path = hostLockPath(options.dir, key);
      closeSync(openLockFile(options.dir, path)); // ours to create, with our mode (flock(1) would use 0644)
      const seconds = String(Math.max(0.001, timeoutMs / 1000));
      // Its own process group: a Ctrl-C at the terminal must not end it (and release the lock) in the middle of
      // work that `ns run` shields from signals. It still ends with us: our end of its stdin closes.
      const child = spawn(bin, ["-x", "-w", seconds, path, "sh", "-c", "echo held; exec cat >/dev/null"], {
        stdio: ["pipe", "pipe", "pipe"],
        detached: true,
      });
      let released = false;
      const exited = new Promise<number | null>((resolve) => {
        child.once("exit", (code) => resolve(code));
        child.once("error", () => resolve(null));
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      const held = await new Promise<boolean>((resolve, reject) => {
        child.once("error", (e: NodeJS.ErrnoException) =>
          reject(
            e.code === "ENOENT"
              ? new NsError("ERR_NS_TOOL_MISSING", `${bin} not found (needed to lock ${path})`, {
                  hint: "install util-linux (Debian: apt-get install util-linux)",
                  cause: e,
                })
              : new NsError("ERR_NS_STATE", `cannot start ${bin} to lock ${path}: ${e.message}`, {
                  cause: e,
                }),
          ),
        );
        child.stdout.once("data", () => resolve(true));
        void exited.then(() => resolve(false));
      });
      if (!held) {
        const code = await exited;
        // flock -w exits 1 on timeout; anything else is a real failure, reported with its stderr.
        if (code === 1 && stderr.trim() === "") throw timeoutError(path, timeoutMs);
        throw new NsError("ERR_NS_STATE", `${bin} ${path} failed (exit ${code}): ${stderr.trim()}`, {
          hint: "the ns state directory must be writable and on a file system that supports flock",
          details: { path, exitCode: code, stderr },
        });
      }
      let lost = false;
      void exited.then(() => {
        lost = !released;
      });
      let result: T;
      try {
        result = await fn();
      } finally {
        released = true;
        child.stdin.end();
        await exited;
      }
      // Someone killed the helper while we worked: the work is done, but not under the lock; say so.
      if (lost)
        throw new NsError(
          "ERR_NS_STATE",
          `the ns host lock ${path} was lost: its flock(1) helper was killed`,
          {
            hint: "do not signal ns's flock helper processes; run the command again",
            details: { path },
          },
        );
      return result;
    },
  };
}

/** flock(2) when `native` is allowed and koffi's libc binding loads, else the flock(1) helper. */
export function defaultHostLock(
  dir: string,
  options: { native?: boolean; timeoutMs?: number } = {},
): HostLock {
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  if (options.native !== false) {
    const native = loadNative();
    if (!("reason" in native))
      return createFlockHostLock({ dir, flock: native.libc.flock, errno: native.libc.errno, ...timeout });
  }
  return createHelperHostLock({ dir, ...timeout });
}
