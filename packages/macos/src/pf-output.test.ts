import { describe, expect, it } from "vitest";
import { parseNetstatInterface } from "./netstat.ts";
import {
  parseAnchorHooks,
  parseAnchorList,
  parseDefaultRoute,
  parseEnableOutput,
  parsePfInfo,
} from "./pf-output.ts";
import * as S from "./test-support/samples.ts";

describe("pfctl -E output", () => {
  it("takes the token from a fresh enable", () => {
    expect(parseEnableOutput(S.enableOutput("6988729328174473903"))).toEqual({
      token: "6988729328174473903",
      alreadyEnabled: false,
    });
  });

  it("keeps 64-bit tokens exact (as text, not as a number)", () => {
    expect(parseEnableOutput("Token : 18446744073709551615").token).toBe("18446744073709551615");
  });

  it("notices pf was already enabled and still takes the reference's token", () => {
    expect(parseEnableOutput(S.enableAlreadyOutput("42"))).toEqual({ token: "42", alreadyEnabled: true });
  });

  it("reports no token when none was printed", () => {
    expect(parseEnableOutput("pfctl: pf already enabled\n")).toEqual({ alreadyEnabled: true });
    expect(parseEnableOutput("Token : abc\nToken: \n")).toEqual({ alreadyEnabled: false });
  });
});

describe("main ruleset hooks", () => {
  it("sees none of ours in a stock pf.conf", () => {
    expect(parseAnchorHooks(S.STOCK_NAT, S.STOCK_RULES)).toEqual({ nat: false, rdr: false, filter: false });
  });

  it("sees each of ours when pf.conf has them", () => {
    expect(parseAnchorHooks(S.HOOKED_NAT, S.HOOKED_RULES)).toEqual({ nat: true, rdr: true, filter: true });
    expect(parseAnchorHooks('rdr-anchor "ns/*" all\n')).toEqual({ nat: false, rdr: true, filter: false });
  });

  it("is not fooled by other anchors with a similar name", () => {
    const listing = 'nat-anchor "ns/x" all\nrdr-anchor "nsx/*" all\nanchor "com.apple/ns/*" all\n';
    expect(parseAnchorHooks(listing, listing)).toEqual({ nat: false, rdr: false, filter: false });
  });
});

describe("anchor list and route", () => {
  it("lists anchors below ns as full paths", () => {
    expect(parseAnchorList("  ns/ns-0123456789ab\n  ns/web\n")).toEqual(["ns/ns-0123456789ab", "ns/web"]);
    expect(parseAnchorList("  web\n\npfctl: something\n")).toEqual(["ns/web"]);
  });

  it("reads the default route's interface", () => {
    expect(parseDefaultRoute(S.ROUTE_DEFAULT)).toBe("en0");
    expect(parseDefaultRoute("route: writing to routing socket: not in table")).toBeUndefined();
  });
});

describe("pfctl -s info", () => {
  it("reads the status and the log interface's counters, summing IPv4 and IPv6", () => {
    expect(parsePfInfo(S.PF_INFO_EN0)).toEqual({
      enabled: true,
      iface: {
        name: "en0",
        bytesIn: 124456,
        bytesOut: 65932,
        packetsInPassed: 110,
        packetsInBlocked: 3,
        packetsOutPassed: 95,
        packetsOutBlocked: 3,
      },
    });
  });

  it("reads a disabled pf without a log interface", () => {
    expect(parsePfInfo(S.PF_INFO_DISABLED)).toEqual({ enabled: false });
    expect(parsePfInfo("")).toEqual({ enabled: undefined });
  });
});

describe("netstat -I <if> -b -d -n", () => {
  it("reads the link row's counters and the addresses of en0", () => {
    expect(parseNetstatInterface(S.NETSTAT_EN0, "en0")).toEqual({
      name: "en0",
      mtu: 1500,
      rxPackets: 4830123,
      rxErrors: 2,
      rxBytes: 5421390112,
      txPackets: 2510021,
      txErrors: 1,
      txBytes: 480123456,
      drops: 3,
      addresses: ["192.168.1.23/24"],
      up: true,
    });
  });

  it("reads lo0, whose link row has no address column", () => {
    const lo = parseNetstatInterface(S.NETSTAT_LO0, "lo0")!;
    expect(lo).toMatchObject({ mtu: 16384, rxBytes: 34567890, txPackets: 123456, drops: 0 });
    expect(lo.addresses).toEqual(["127.0.0.1/8", "::1/128"]);
  });

  it("works without the Drop column (plain -b) and sees a down interface", () => {
    const text = S.NETSTAT_EN0.replace(/ Drop$/m, "")
      .replace(/ {4}3$/m, "")
      .replace("en0        1500  <Link#6>", "en0*       1500  <Link#6>");
    const c = parseNetstatInterface(text, "en0")!;
    expect(c).toMatchObject({ rxBytes: 5421390112, txBytes: 480123456, drops: 0, up: false });
  });

  it("returns undefined for other output", () => {
    expect(parseNetstatInterface("netstat: en9: no such interface", "en9")).toBeUndefined();
    expect(parseNetstatInterface(S.NETSTAT_EN0, "en1")).toBeUndefined();
  });
});
