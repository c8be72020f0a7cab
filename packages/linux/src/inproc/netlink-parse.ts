// rtnetlink reply decoding (pure: no FFI).
import { NL } from "./netlink-encode.ts";

const NLMSGERR_ATTR_MSG = 1;
const align4 = (n: number) => (n + 3) & ~3;

/** One message of a netlink reply. */
export interface NlReply {
  type: number;
  flags: number;
  seq: number;
  /** For NLMSG_ERROR: 0 (an ACK) or a positive errno. */
  errno?: number;
  /** Extended ack text (NLMSGERR_ATTR_MSG) when the kernel gave one. */
  extMessage?: string;
  /** For RTM_NEWLINK: ifi_index. */
  index?: number;
}

/** Splits a datagram of netlink replies into messages. */
export function parseReplies(buf: Buffer): NlReply[] {
  const out: NlReply[] = [];
  let off = 0;
  while (off + 16 <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < 16 || off + len > buf.length) break;
    const r: NlReply = {
      type: buf.readUInt16LE(off + 4),
      flags: buf.readUInt16LE(off + 6),
      seq: buf.readUInt32LE(off + 8),
    };
    if (r.type === NL.NLMSG_ERROR && len >= 20) {
      r.errno = -buf.readInt32LE(off + 16) || 0;
      if (r.flags & NL.F_ACK_TLVS) {
        // The original request follows: only its header when capped, else all of it.
        const origLen = r.flags & NL.F_CAPPED ? 16 : buf.readUInt32LE(off + 20);
        r.extMessage = findStrAttr(buf.subarray(off + 20 + align4(origLen), off + len), NLMSGERR_ATTR_MSG);
      }
    } else if (r.type === NL.RTM_NEWLINK && len >= 32) {
      r.index = buf.readInt32LE(off + 20);
    }
    out.push(r);
    off += align4(len);
  }
  return out;
}

function findStrAttr(attrs: Buffer, type: number): string | undefined {
  let off = 0;
  while (off + 4 <= attrs.length) {
    const len = attrs.readUInt16LE(off);
    if (len < 4) return undefined;
    if (attrs.readUInt16LE(off + 2) === type)
      return attrs
        .subarray(off + 4, off + len)
        .toString("utf8")
        .replace(/\0+$/, "");
    off += align4(len);
  }
  return undefined;
}
