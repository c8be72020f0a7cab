import { describe, expect, it } from "vitest";
import {
  addrAddMsg,
  bridgeAddMsg,
  defaultRouteMsg,
  ipv4Bytes,
  linkDelMsg,
  linkGetMsg,
  linkSetMsg,
  macBytes,
  NL,
  neighReplaceMsg,
  vethAddMsg,
} from "./netlink-encode.ts";
import { parseReplies } from "./netlink-parse.ts";

// Expected bytes are what iproute2 6.1 sends for the same command (captured with `strace -e write=FD`).
const hex = (s: string) => s.replace(/\s+/g, "");
const SEQ = 0x6b0b9549;
const SEQ2 = 0x6b0b954e;
const ipv4 = (s: string) => ipv4Bytes(s)!;

describe("rtnetlink encoding matches iproute2 byte for byte", () => {
  it("addr add 10.9.0.2/24 dev <3>", () => {
    expect(addrAddMsg(SEQ, 3, ipv4("10.9.0.2"), 24).toString("hex")).toBe(
      hex(`28000000 1400 0506 49950b6b 00000000  02180000 03000000
           08000200 0a090002  08000100 0a090002`),
    );
  });

  it("route add default via 10.9.0.1", () => {
    expect(defaultRouteMsg(SEQ, ipv4("10.9.0.1")).toString("hex")).toBe(
      hex(`24000000 1800 0506 49950b6b 00000000  02000000 fe030001 00000000  08000500 0a090001`),
    );
  });

  it("link set <3> addrgenmode none", () => {
    expect(linkSetMsg(SEQ, 3, { addrgenNone: true }).toString("hex")).toBe(
      hex(`30000000 1000 0500 49950b6b 00000000  00000000 03000000 00000000 00000000
           10001a00 0c000a00 05000800 01000000`),
    );
  });

  it("link set <3> up", () => {
    expect(linkSetMsg(SEQ, 3, { up: true }).toString("hex")).toBe(
      hex(`20000000 1000 0500 49950b6b 00000000  00000000 03000000 01000000 01000000`),
    );
  });

  it("link set <3> master <4>", () => {
    expect(linkSetMsg(SEQ2, 3, { masterIndex: 4 }).toString("hex")).toBe(
      hex(`28000000 1000 0500 4e950b6b 00000000  00000000 03000000 00000000 00000000  08000a00 04000000`),
    );
  });

  it("link del <3>", () => {
    expect(linkDelMsg(SEQ2, 3).toString("hex")).toBe(
      hex(`20000000 1100 0500 4e950b6b 00000000  00000000 03000000 00000000 00000000`),
    );
  });

  it("link add va mtu 1400 type veth peer name vb mtu 1400", () => {
    expect(vethAddMsg(SEQ2, { name: "va", mtu: 1400 }, { name: "vb", mtu: 1400 }).toString("hex")).toBe(
      hex(`64000000 1000 0506 4e950b6b 00000000  00000000 00000000 00000000 00000000
           08000400 78050000  07000300 76610000
           34001200 08000100 76657468  28000200 24000100
             00000000 00000000 00000000 00000000  08000400 78050000  07000300 76620000`),
    );
  });

  it("link add nsbx mtu 1400 type bridge", () => {
    expect(bridgeAddMsg(SEQ2, "nsbx", 1400).toString("hex")).toBe(
      hex(`44000000 1000 0506 4e950b6b 00000000  00000000 00000000 00000000 00000000
           08000400 78050000  09000300 6e736278 00000000
           10001200 0a000100 62726964 67650000`),
    );
  });

  it("link add va address 02:00:00:00:00:01 mtu 1400 type veth peer name vb address 02:00:00:00:00:02 mtu 1400", () => {
    const mac = (s: string) => macBytes(s)!;
    const m = vethAddMsg(
      0x6b0b9e15,
      { name: "va", mtu: 1400, address: mac("02:00:00:00:00:01") },
      { name: "vb", mtu: 1400, address: mac("02:00:00:00:00:02") },
    );
    expect(m.toString("hex")).toBe(
      hex(`7c000000 1000 0506 159e0b6b 00000000  00000000 00000000 00000000 00000000
           0a000100 02000000 00010000  08000400 78050000  07000300 76610000
           40001200 08000100 76657468  34000200 30000100
             00000000 00000000 00000000 00000000
             0a000100 02000000 00020000  08000400 78050000  07000300 76620000`),
    );
  });

  it("neigh replace 10.9.0.2 lladdr 02:00:00:00:00:02 dev <3> nud permanent", () => {
    expect(
      neighReplaceMsg(0x6b0b9e16, 3, ipv4("10.9.0.2"), macBytes("02:00:00:00:00:02")!).toString("hex"),
    ).toBe(
      hex(`30000000 1c00 0505 169e0b6b 00000000  02000000 03000000 80000000
           08000100 0a090002  0a000200 02000000 00020000`),
    );
  });

  it("link get nsbx (ext mask: no VF data, no stats)", () => {
    expect(linkGetMsg(SEQ2, "nsbx").toString("hex")).toBe(
      hex(`34000000 1200 0100 4e950b6b 00000000  00000000 00000000 00000000 00000000
           08001d00 09000000  09000300 6e736278 00000000`),
    );
  });
});

describe("rtnetlink encoding of what iproute2 does differently", () => {
  it("addresses a link by name (IFLA_IFNAME, index 0) to save the lookup", () => {
    expect(linkSetMsg(1, "lo", { up: true }).toString("hex")).toBe(
      hex(`28000000 1000 0500 01000000 00000000  00000000 00000000 01000000 01000000  07000300 6c6f0000`),
    );
    expect(linkDelMsg(1, "va").toString("hex")).toBe(
      hex(`28000000 1100 0500 01000000 00000000  00000000 00000000 00000000 00000000  07000300 76610000`),
    );
  });

  it("puts the peer's netns fd between its mtu and its name", () => {
    const m = vethAddMsg(1, { name: "va" }, { name: "vb", netnsFd: 7 });
    expect(m.subarray(m.length - 16).toString("hex")).toBe(hex(`08001c00 07000000 07000300 76620000`));
    expect(m.readUInt32LE(0)).toBe(m.length);
  });

  it("gives loopback addresses host scope, as ip does", () => {
    expect(addrAddMsg(1, 1, ipv4("127.0.0.2"), 8)[16 + 3]).toBe(254);
  });

  it("parses dotted IPv4 only", () => {
    expect(ipv4Bytes("256.0.0.1")).toBeUndefined();
    expect(ipv4Bytes("fe80::1")).toBeUndefined();
    expect([...ipv4("192.0.2.1")]).toEqual([192, 0, 2, 1]);
  });
});

describe("rtnetlink reply parsing", () => {
  const errorMsg = (seq: number, errno: number, flags = 0, tail = Buffer.alloc(0)) => {
    const body = Buffer.alloc(4 + 16);
    body.writeInt32LE(-errno, 0);
    body.writeUInt32LE(16, 4);
    const h = Buffer.alloc(16);
    h.writeUInt32LE(16 + body.length + tail.length, 0);
    h.writeUInt16LE(NL.NLMSG_ERROR, 4);
    h.writeUInt16LE(flags, 6);
    h.writeUInt32LE(seq, 8);
    return Buffer.concat([h, body, tail]);
  };

  it("reads an ACK and an error with its errno", () => {
    const r = parseReplies(Buffer.concat([errorMsg(5, 0), errorMsg(6, 17)]));
    expect(r.map((x) => [x.seq, x.errno])).toEqual([
      [5, 0],
      [6, 17],
    ]);
  });

  it("reads the extended ack message of a capped error", () => {
    const text = Buffer.from("Invalid prefix\0\0");
    const attr = Buffer.concat([Buffer.from([4 + 15, 0, 1, 0]), text]);
    const [r] = parseReplies(errorMsg(9, 22, NL.F_CAPPED | NL.F_ACK_TLVS, attr));
    expect(r).toMatchObject({ errno: 22, extMessage: "Invalid prefix" });
  });

  it("reads the ifindex of an RTM_NEWLINK answer", () => {
    const m = linkSetMsg(3, 42, {});
    m.writeUInt16LE(NL.RTM_NEWLINK, 4);
    expect(parseReplies(m)[0]).toMatchObject({ type: NL.RTM_NEWLINK, seq: 3, index: 42 });
  });

  it("stops at a truncated message", () => {
    const m = errorMsg(1, 0);
    expect(parseReplies(m.subarray(0, 30))).toEqual([]);
  });
});
