import { describe, expect, it } from "vitest";
import { bridgeName, idFromNetnsName, netnsName, ourLinkKind, vethName } from "./names.ts";

describe("kernel object names", () => {
  it("fits veth and bridge names in 15 bytes and hashes instead of truncating", () => {
    const long = "a".repeat(48);
    const other = `${"a".repeat(47)}b`;
    expect(Buffer.byteLength(vethName(long))).toBe(15);
    expect(Buffer.byteLength(bridgeName("some-bridge-name-that-is-long"))).toBe(15);
    expect(vethName(long)).not.toBe(vethName(other));
    expect(vethName("x")).toMatch(/^nsv[0-9a-f]{12}$/);
    expect(bridgeName("x")).toMatch(/^nsb[0-9a-f]{12}$/);
  });

  it("parses its own names back and rejects foreign ones", () => {
    expect(idFromNetnsName(netnsName("ns-0123abcd"))).toBe("ns-0123abcd");
    expect(idFromNetnsName("cni-1234")).toBeUndefined();
    expect(idFromNetnsName("nsx-")).toBeUndefined();
    expect(ourLinkKind(vethName("a"))).toBe("veth");
    expect(ourLinkKind(bridgeName("a"))).toBe("bridge");
    expect(ourLinkKind("nsv123")).toBeUndefined();
    expect(ourLinkKind("eth0")).toBeUndefined();
    expect(ourLinkKind("docker0")).toBeUndefined();
  });
});
