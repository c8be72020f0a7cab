// rtnetlink message encoding and decoding (pure: no FFI), in the layouts of <linux/netlink.h> and <linux/rtnetlink.h>.

/** Message types and flags used here. */
export const NL = {
  NLMSG_ERROR: 2,
  NLMSG_DONE: 3,
  RTM_NEWLINK: 16,
  RTM_DELLINK: 17,
  RTM_GETLINK: 18,
  RTM_NEWADDR: 20,
  RTM_NEWROUTE: 24,
  RTM_DELROUTE: 25,
  RTM_NEWNEIGH: 28,
  F_REQUEST: 0x1,
  F_ACK: 0x4,
  F_CAPPED: 0x100,
  F_ACK_TLVS: 0x200,
  F_REPLACE: 0x100,
  F_EXCL: 0x200,
  F_CREATE: 0x400,
} as const;

const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_MASTER = 10;
const IFLA_LINKINFO = 18;
const IFLA_AF_SPEC = 26;
const IFLA_NET_NS_FD = 28;
const IFLA_EXT_MASK = 29;
const RTEXT_FILTER_VF = 1;
const RTEXT_FILTER_SKIP_STATS = 8;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const VETH_INFO_PEER = 1;
const IFLA_INET6_ADDR_GEN_MODE = 8;
const IN6_ADDR_GEN_MODE_NONE = 1;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const RTA_DST = 1;
const RTA_GATEWAY = 5;
const RTN_BLACKHOLE = 6;
const RT_SCOPE_NOWHERE = 255;

const NDA_DST = 1;
const NDA_LLADDR = 2;
const NUD_PERMANENT = 0x80;
const AF_INET = 2;
const AF_INET6 = 10;
const IFF_UP = 1;
const RT_TABLE_MAIN = 254;
const RTPROT_BOOT = 3;
const RT_SCOPE_UNIVERSE = 0;
const RT_SCOPE_HOST = 254;
const RTN_UNICAST = 1;

/** One netlink attribute: raw payload, or nested attributes (without NLA_F_NESTED, as iproute2 sends them). */
export type Attr = { type: number; data: Buffer } | { type: number; nested: Attr[]; header?: Buffer };

const align4 = (n: number) => (n + 3) & ~3;

/** Encodes attributes, each padded to 4 bytes. */
export function encodeAttrs(attrs: readonly Attr[]): Buffer {
  const parts: Buffer[] = [];
  for (const a of attrs) {
    const payload =
      "data" in a ? a.data : Buffer.concat([a.header ?? Buffer.alloc(0), encodeAttrs(a.nested)]);
    const head = Buffer.alloc(4);
    head.writeUInt16LE(4 + payload.length, 0);
    head.writeUInt16LE(a.type, 2);
    parts.push(head, payload, Buffer.alloc(align4(payload.length) - payload.length));
  }
  return Buffer.concat(parts);
}

/** A NUL-terminated string attribute. */
export const strAttr = (type: number, s: string): Attr => ({
  type,
  data: Buffer.from(`${s}\0`, "utf8"),
});
/** A u32 attribute (host order: little endian on every platform this runs on). */
export function u32Attr(type: number, v: number): Attr {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0, 0);
  return { type, data: b };
}
/** IFLA_INFO_KIND: iproute2 sends it without the NUL (the kernel accepts either). */
const kindAttr = (kind: string): Attr => ({ type: IFLA_INFO_KIND, data: Buffer.from(kind, "utf8") });
const u8Attr = (type: number, v: number): Attr => ({ type, data: Buffer.from([v]) });

/** struct nlmsghdr + body: length, type, flags, sequence, port id 0 (the kernel). */
export function nlmsg(type: number, flags: number, seq: number, body: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(16 + body.length, 0);
  h.writeUInt16LE(type, 4);
  h.writeUInt16LE(flags, 6);
  h.writeUInt32LE(seq >>> 0, 8);
  h.writeUInt32LE(0, 12);
  return Buffer.concat([h, body]);
}

/** struct ifinfomsg (16 bytes). */
export function ifinfomsg(
  o: { family?: number; index?: number; flags?: number; change?: number } = {},
): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(o.family ?? 0, 0);
  b.writeInt32LE(o.index ?? 0, 4);
  b.writeUInt32LE(o.flags ?? 0, 8);
  b.writeUInt32LE(o.change ?? 0, 12);
  return b;
}

/** Dotted IPv4 text to its 4 bytes, or undefined when it is not one. */
export function ipv4Bytes(text: string): Buffer | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const bytes = m.slice(1).map(Number);
  return bytes.every((x) => x <= 255) ? Buffer.from(bytes) : undefined;
}

const REQ_ACK = NL.F_REQUEST | NL.F_ACK;
const REQ_NEW = REQ_ACK | NL.F_CREATE | NL.F_EXCL;

/** Link-layer address text (`02:00:00:00:00:01`) to its 6 bytes, or undefined when it is not one. */
export function macBytes(text: string): Buffer | undefined {
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(text)) return undefined;
  return Buffer.from(text.split(":").map((x) => Number.parseInt(x, 16)));
}

/** Attributes of a new link, in the order `ip` sends them: address, mtu, netns, name. */
export interface NewLinkAttrs {
  name: string;
  mtu?: number;
  address?: Buffer;
  netnsFd?: number;
}

function newLinkAttrs(l: NewLinkAttrs): Attr[] {
  const attrs: Attr[] = [];
  if (l.address !== undefined) attrs.push({ type: IFLA_ADDRESS, data: l.address });
  if (l.mtu !== undefined) attrs.push(u32Attr(IFLA_MTU, l.mtu));
  if (l.netnsFd !== undefined) attrs.push(u32Attr(IFLA_NET_NS_FD, l.netnsFd));
  attrs.push(strAttr(IFLA_IFNAME, l.name));
  return attrs;
}

/** `link add NAME [address MAC] [mtu M] type veth peer name P [address MAC] [mtu M] [netns fd]`. */
export function vethAddMsg(seq: number, link: NewLinkAttrs, peer: NewLinkAttrs): Buffer {
  const attrs: Attr[] = [
    ...newLinkAttrs(link),
    {
      type: IFLA_LINKINFO,
      nested: [
        kindAttr("veth"),
        {
          type: IFLA_INFO_DATA,
          nested: [{ type: VETH_INFO_PEER, header: ifinfomsg(), nested: newLinkAttrs(peer) }],
        },
      ],
    },
  ];
  return nlmsg(NL.RTM_NEWLINK, REQ_NEW, seq, Buffer.concat([ifinfomsg(), encodeAttrs(attrs)]));
}

/** `link add NAME [mtu M] type bridge`. */
export function bridgeAddMsg(seq: number, name: string, mtu: number | undefined): Buffer {
  const attrs: Attr[] = [
    ...newLinkAttrs(mtu === undefined ? { name } : { name, mtu }),
    { type: IFLA_LINKINFO, nested: [kindAttr("bridge")] },
  ];
  return nlmsg(NL.RTM_NEWLINK, REQ_NEW, seq, Buffer.concat([ifinfomsg(), encodeAttrs(attrs)]));
}

/** What `link set DEV ...` changes. */
export interface LinkChange {
  up?: boolean;
  mtu?: number;
  masterIndex?: number;
  addrgenNone?: boolean;
}

/** A link by ifindex (as `ip` sends it) or by name (IFLA_IFNAME, which saves the lookup). */
function target(dev: string | number): { index: number; attrs: Attr[] } {
  return typeof dev === "number"
    ? { index: dev, attrs: [] }
    : { index: 0, attrs: [strAttr(IFLA_IFNAME, dev)] };
}

/** `link set` of an existing link (RTM_NEWLINK without NLM_F_CREATE changes it). */
export function linkSetMsg(seq: number, dev: string | number, c: LinkChange): Buffer {
  const t = target(dev);
  const attrs: Attr[] = [];
  if (c.mtu !== undefined) attrs.push(u32Attr(IFLA_MTU, c.mtu));
  if (c.masterIndex !== undefined) attrs.push(u32Attr(IFLA_MASTER, c.masterIndex));
  if (c.addrgenNone)
    attrs.push({
      type: IFLA_AF_SPEC,
      nested: [{ type: AF_INET6, nested: [u8Attr(IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE)] }],
    });
  attrs.push(...t.attrs);
  const info =
    c.up === undefined
      ? ifinfomsg({ index: t.index })
      : ifinfomsg({ index: t.index, flags: c.up ? IFF_UP : 0, change: IFF_UP });
  return nlmsg(NL.RTM_NEWLINK, REQ_ACK, seq, Buffer.concat([info, encodeAttrs(attrs)]));
}

/** `link del DEV`. */
export function linkDelMsg(seq: number, dev: string | number): Buffer {
  const t = target(dev);
  return nlmsg(
    NL.RTM_DELLINK,
    REQ_ACK,
    seq,
    Buffer.concat([ifinfomsg({ index: t.index }), encodeAttrs(t.attrs)]),
  );
}

/** RTM_GETLINK of one link by name, without VF data and stats (as `ip` asks it); answered with an RTM_NEWLINK. */
export function linkGetMsg(seq: number, dev: string): Buffer {
  return nlmsg(
    NL.RTM_GETLINK,
    NL.F_REQUEST,
    seq,
    Buffer.concat([
      ifinfomsg(),
      encodeAttrs([
        u32Attr(IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS),
        strAttr(IFLA_IFNAME, dev),
      ]),
    ]),
  );
}

/** `addr add A/P dev DEV` for IPv4: IFA_LOCAL and IFA_ADDRESS, no broadcast, scope as `ip` picks it. */
export function addrAddMsg(seq: number, index: number, addr: Buffer, prefixLen: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt8(AF_INET, 0);
  h.writeUInt8(prefixLen, 1);
  h.writeUInt8(addr[0] === 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE, 3);
  h.writeUInt32LE(index, 4);
  const attrs = encodeAttrs([
    { type: IFA_LOCAL, data: addr },
    { type: IFA_ADDRESS, data: addr },
  ]);
  return nlmsg(NL.RTM_NEWADDR, REQ_NEW, seq, Buffer.concat([h, attrs]));
}

/** `route add default via G` (IPv4, main table, proto boot, as `ip route add` sends it). */
export function defaultRouteMsg(seq: number, gateway: Buffer): Buffer {
  const r = Buffer.from([AF_INET, 0, 0, 0, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST]);
  const body = Buffer.concat([r, Buffer.alloc(4), encodeAttrs([{ type: RTA_GATEWAY, data: gateway }])]);
  return nlmsg(NL.RTM_NEWROUTE, REQ_NEW, seq, body);
}

/** `route replace blackhole A/32` (main table), or with `del`, `route del blackhole A/32`. */
export function blackholeRouteMsg(seq: number, dst: Buffer, del: boolean): Buffer {
  const r = del
    ? Buffer.from([AF_INET, 32, 0, 0, RT_TABLE_MAIN, 0, RT_SCOPE_NOWHERE, RTN_BLACKHOLE])
    : Buffer.from([AF_INET, 32, 0, 0, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_BLACKHOLE]);
  const body = Buffer.concat([r, Buffer.alloc(4), encodeAttrs([{ type: RTA_DST, data: dst }])]);
  const flags = del ? NL.F_REQUEST | NL.F_ACK : NL.F_REQUEST | NL.F_ACK | NL.F_CREATE | NL.F_REPLACE;
  return nlmsg(del ? NL.RTM_DELROUTE : NL.RTM_NEWROUTE, flags, seq, body);
}

/** `neigh replace A lladdr MAC dev <index> nud permanent` (IPv4). */
export function neighReplaceMsg(seq: number, index: number, dst: Buffer, lladdr: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt8(AF_INET, 0);
  h.writeInt32LE(index, 4);
  h.writeUInt16LE(NUD_PERMANENT, 8);
  const attrs = encodeAttrs([
    { type: NDA_DST, data: dst },
    { type: NDA_LLADDR, data: lladdr },
  ]);
  return nlmsg(NL.RTM_NEWNEIGH, REQ_ACK | NL.F_CREATE | NL.F_REPLACE, seq, Buffer.concat([h, attrs]));
}
