import { createRequire } from "node:module";
import type * as Koffi from "koffi";

/** The libc calls the in-process driver makes; each returns -1 (or a negative length) and sets errno on failure. */
export interface LibC {
  unshare(flags: number): number;
  setns(fd: number, nstype: number): number;
  mount(source: string, target: string, fstype: string, flags: number, data: null): number;
  umount2(target: string, flags: number): number;
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  sendto(fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, addrLen: number): number;
  /** sendto on the libuv threadpool: the kernel does slow work (veth removal) inside the call. */
  sendtoAsync(
    fd: number,
    buf: Buffer,
    len: number,
    flags: number,
    addr: Buffer,
    addrLen: number,
  ): Promise<number>;
  recv(fd: number, buf: Buffer, len: number, flags: number): number;
  close(fd: number): number;
  gettid(): number;
  /** flock(2): the cross-process host lock (see host-lock.ts). */
  flock(fd: number, operation: number): number;
  strerror(errno: number): string;
  /** errno of the last call. */
  errno(): number;
}

/** The libnftables calls used (struct nft_ctx is opaque). */
export interface LibNftables {
  ctxNew(flags: number): unknown;
  ctxFree(ctx: unknown): void;
  bufferOutput(ctx: unknown): number;
  bufferError(ctx: unknown): number;
  setOutputFlags(ctx: unknown, flags: number): void;
  runCmd(ctx: unknown, script: string): number;
  /** runCmd on the libuv threadpool: a transaction that deletes waits for a kernel grace period (~15 ms). */
  runCmdAsync(ctx: unknown, script: string): Promise<number>;
  outputBuffer(ctx: unknown): string;
  errorBuffer(ctx: unknown): string;
}

/** Loaded native bindings, or why they are not available. */
export type NativeLoad = { libc: LibC; nft: LibNftables } | { reason: string };

let cached: NativeLoad | undefined;

/**
 * Loads koffi, libc and libnftables once, synchronously, when first asked (koffi is an optional dependency:
 * its absence is a reason, never an import error).
 */
export function loadNative(): NativeLoad {
  if (cached) return cached;
  cached = load();
  return cached;
}

function load(): NativeLoad {
  if (process.platform !== "linux") return { reason: "not linux" };
  let koffi: typeof Koffi;
  try {
    koffi = createRequire(import.meta.url)("koffi") as typeof Koffi;
  } catch (e) {
    return { reason: `koffi is not installed (${(e as Error).message.split("\n")[0]})` };
  }
  let c: Koffi.LibraryHandle;
  let n: Koffi.LibraryHandle;
  try {
    c = koffi.load("libc.so.6");
  } catch (e) {
    return { reason: `cannot load libc.so.6: ${(e as Error).message}` };
  }
  try {
    n = koffi.load("libnftables.so.1");
  } catch (e) {
    return {
      reason: `cannot load libnftables.so.1 (Debian: apt-get install libnftables1): ${(e as Error).message}`,
    };
  }
  try {
    const strerror = c.func("const char *strerror(int errnum)");
    const sendto = c.func(
      "long sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)",
    );
    const libc: LibC = {
      unshare: c.func("int unshare(int flags)"),
      setns: c.func("int setns(int fd, int nstype)"),
      mount: c.func(
        "int mount(const char *src, const char *dst, const char *fstype, unsigned long flags, const void *data)",
      ),
      umount2: c.func("int umount2(const char *target, int flags)"),
      socket: c.func("int socket(int domain, int type, int protocol)"),
      setsockopt: c.func("int setsockopt(int fd, int level, int name, const void *value, uint32_t len)"),
      sendto,
      sendtoAsync: (...args) =>
        new Promise((resolve, reject) =>
          sendto.async(...args, (err: unknown, n: number) => (err ? reject(err) : resolve(n))),
        ),
      recv: c.func("long recv(int fd, _Out_ void *buf, size_t len, int flags)"),
      close: c.func("int close(int fd)"),
      gettid: c.func("int gettid(void)"),
      flock: c.func("int flock(int fd, int operation)"),
      strerror: (e) => String(strerror(e)),
      errno: () => koffi.errno(),
    };
    const runCmd = n.func("int nft_run_cmd_from_buffer(void *ctx, const char *buf)");
    const nft: LibNftables = {
      ctxNew: n.func("void *nft_ctx_new(uint32_t flags)"),
      ctxFree: n.func("void nft_ctx_free(void *ctx)"),
      bufferOutput: n.func("int nft_ctx_buffer_output(void *ctx)"),
      bufferError: n.func("int nft_ctx_buffer_error(void *ctx)"),
      setOutputFlags: n.func("void nft_ctx_output_set_flags(void *ctx, uint32_t flags)"),
      runCmd,
      runCmdAsync: (ctx, script) =>
        new Promise((resolve, reject) =>
          runCmd.async(ctx, script, (err: unknown, rc: number) => (err ? reject(err) : resolve(rc))),
        ),
      outputBuffer: n.func("const char *nft_ctx_get_output_buffer(void *ctx)"),
      errorBuffer: n.func("const char *nft_ctx_get_error_buffer(void *ctx)"),
    };
    return { libc, nft };
  } catch (e) {
    return { reason: `cannot bind libc/libnftables functions: ${(e as Error).message}` };
  }
}
