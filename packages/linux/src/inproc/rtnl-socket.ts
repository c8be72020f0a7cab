import type { LibC } from "./libc.ts";
import { NL } from "./netlink-encode.ts";
import { type NlReply, parseReplies } from "./netlink-parse.ts";
import { SysError } from "./netns-ops.ts";

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_ROUTE = 0;
const SOL_SOCKET = 1;
const SO_RCVTIMEO = 20;
const SOL_NETLINK = 270;
const NETLINK_CAP_ACK = 10;
const NETLINK_EXT_ACK = 11;
const MSG_DONTWAIT = 0x40;
const EAGAIN = 11;
const EINTR = 4;

/** A NETLINK_ROUTE socket; it acts on the netns it was opened in, whatever thread later uses it. */
export interface RtnlSocket {
  /** Sends one request and returns its replies up to the ACK (or the single answer of a GET); throws SysError. */
  request(msg: Buffer): NlReply[];
  /**
   * The same with the send on the threadpool, so the event loop is not blocked while the kernel works (a veth
   * removal waits ~20 ms for RCU inside the call). Only on a socket nobody else uses meanwhile.
   */
  requestAsync(msg: Buffer): Promise<NlReply[]>;
  /** Next sequence number. */
  seq(): number;
  close(): void;
}

/** Opens a NETLINK_ROUTE socket in the calling thread's current netns. */
export function openRtnl(libc: LibC): RtnlSocket {
  const fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) {
    const errno = libc.errno();
    throw new SysError(errno, `Cannot open netlink socket: ${libc.strerror(errno)}`);
  }
  const one = Buffer.alloc(4);
  one.writeInt32LE(1, 0);
  // Extended acks give the kernel's reason text; capped acks keep error replies small. Both optional.
  libc.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, one, 4);
  libc.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, one, 4);
  // rtnetlink answers within sendto, so a reply is always queued; the timeout only guards against a hang.
  const tv = Buffer.alloc(16);
  tv.writeBigInt64LE(5n, 0);
  libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16);
  const kernel = Buffer.alloc(12);
  kernel.writeUInt16LE(AF_NETLINK, 0);
  const buf = Buffer.alloc(65536);
  let seq = Math.floor(Date.now() / 1000) & 0x7fffffff;

  const recvOnce = (): Buffer => {
    for (;;) {
      const n = libc.recv(fd, buf, buf.length, 0);
      if (n >= 0) return buf.subarray(0, n);
      const errno = libc.errno();
      if (errno === EINTR) continue;
      throw new SysError(
        errno,
        errno === EAGAIN ? "netlink reply timed out" : `netlink recv: ${libc.strerror(errno)}`,
      );
    }
  };
  // Replies of earlier, abandoned requests (after a timeout) must not be taken for this one's.
  const drain = () => {
    while (libc.recv(fd, buf, buf.length, MSG_DONTWAIT) > 0);
  };

  // Replies up to the ACK (or the single answer of a GET); rtnetlink queues them within sendto.
  const collect = (msg: Buffer): NlReply[] => {
    const want = msg.readUInt32LE(8);
    const wantAck = (msg.readUInt16LE(6) & NL.F_ACK) !== 0;
    const got: NlReply[] = [];
    for (;;) {
      for (const r of parseReplies(recvOnce())) {
        if (r.seq !== want) continue;
        got.push(r);
        if (r.type === NL.NLMSG_ERROR) {
          if (r.errno) {
            const ext = r.extMessage ? ` (${r.extMessage})` : "";
            throw new SysError(r.errno, `RTNETLINK answers: ${libc.strerror(r.errno)}${ext}`);
          }
          return got;
        }
        if (!wantAck || r.type === NL.NLMSG_DONE) return got;
      }
    }
  };

  return {
    seq: () => {
      seq = (seq + 1) & 0x7fffffff;
      return seq;
    },
    request(msg) {
      drain();
      for (;;) {
        const n = libc.sendto(fd, msg, msg.length, 0, kernel, kernel.length);
        if (n >= 0) break;
        const errno = libc.errno();
        if (errno !== EINTR) throw new SysError(errno, `netlink send: ${libc.strerror(errno)}`);
      }
      return collect(msg);
    },
    async requestAsync(msg) {
      drain();
      const n = await libc.sendtoAsync(fd, msg, msg.length, 0, kernel, kernel.length);
      // errno is the threadpool thread's, not readable here; netlink reports request errors in the ack anyway.
      if (n < 0) throw new SysError(5, "netlink send failed");
      return collect(msg);
    },
    close: () => {
      libc.close(fd);
    },
  };
}
