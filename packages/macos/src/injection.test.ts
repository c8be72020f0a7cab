import type { ResolvedNamespace } from "@ns/core";
import { isNsError } from "@ns/types";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { createMacosBackend } from "./backend.ts";
import { renderPfRules } from "./pf-rules.ts";
import { renderSeatbeltProfile } from "./seatbelt.ts";
import { fullNs, type Harness, harness, IFACE, privateNs, recordOf } from "./test-support/harness.ts";
import { checkPfRules } from "./test-support/pf-check.ts";
import { checkSbpl } from "./test-support/sbpl-check.ts";

// create() may be called with a ResolvedNamespace nobody validated: the backend must refuse every value that
// could change the meaning of a profile, a rule or an argv, before it runs anything or writes any file.

let h: Harness;
afterEach(() => h?.cleanup());

const NASTY = [
  'en0"',
  "en0\npass all",
  "en0 port 22",
  "en0;",
  "(en0)",
  "en0}",
  "en0)",
  "{en0}",
  "en0 # x",
  "",
  "lo0\u0000",
  "../../etc",
  "a\\b",
  "EN0",
  "en",
];

async function refused(ns: ResolvedNamespace): Promise<void> {
  h.mac.runner.reset();
  try {
    await h.backend.create(ns);
  } catch (e) {
    expect(isNsError(e, "ERR_NS_INVALID_CONFIG")).toBe(true);
    // The default route may be read (only with no uplink given); pf is never asked anything.
    expect(h.mac.pfctlLines()).toEqual([]);
    expect(await h.backend.listOwned()).toEqual([]);
    return;
  }
  throw new Error(`accepted ${JSON.stringify(ns.config)}`);
}

const raw = (ns: ResolvedNamespace, patch: Record<string, unknown>): ResolvedNamespace =>
  ({ ...ns, config: { ...ns.config, ...patch } }) as ResolvedNamespace;

describe("the backend defends itself against unvalidated input", () => {
  it.each(
    NASTY.filter((n) => n !== "en").concat([
      'ns-1"',
      "x\n(allow network*)",
      "a)",
      "a b",
      "A",
      "-lead",
      "x".repeat(49),
    ]),
  )("refuses the id %j", async (id) => {
    h = harness();
    await refused(raw(fullNs(), { id }));
    await refused(raw(privateNs(), { id }));
  });

  it.each(NASTY)("refuses the uplink %j", async (uplink) => {
    h = harness();
    await refused(raw(privateNs(), { uplink }));
  });

  it("refuses an uplink with a nasty name from the default route too", async () => {
    h = harness({ defaultUplink: "en0;" });
    await refused(privateNs());
  });

  it.each([
    '1.2.3.4"',
    "1.2.3.4\nrdr pass on en0 inet proto tcp from any to any port 22 -> 127.0.0.1 port 22",
    "1.2.3.4)",
    "::1%lo0",
    "{1.2.3.4}",
    "01.2.3.4",
    "any",
    "(en0)",
  ])("refuses the forward host address %j", async (hostAddr) => {
    h = harness();
    await refused(
      raw(privateNs(), { portForwards: [{ hostPort: 80, nsPort: 80, protocol: "tcp", hostAddr }] }),
    );
  });

  it.each([
    { hostPort: 0, nsPort: 80, protocol: "tcp" },
    { hostPort: 80, nsPort: 70000, protocol: "tcp" },
    { hostPort: "80", nsPort: 80, protocol: "tcp" },
    { hostPort: 80.5, nsPort: 80, protocol: "tcp" },
    { hostPort: Number.NaN, nsPort: 80, protocol: "tcp" },
    { hostPort: 80, nsPort: "80 -> 1.2.3.4", protocol: "tcp" },
    { hostPort: 80, nsPort: 80, protocol: "tcp\n" },
    { hostPort: 80, nsPort: 80, protocol: "sctp" },
    { hostPort: 80, nsPort: 80, protocol: 'tcp" "*:*' },
  ])("refuses the forward %j", async (fwd) => {
    h = harness();
    await refused(raw(privateNs(), { portForwards: [fwd] }));
  });

  it.each([
    { ...IFACE, ipAddr: "10.0.0.1/8" },
    { ...IFACE, ipAddr: "10.0.0.1 to any" },
    { ...IFACE, prefixLen: 33 },
    { ...IFACE, prefixLen: "30" },
  ])("refuses the interface %j", async (iface) => {
    h = harness();
    await refused({ ...privateNs(), interface: iface as never });
  });

  it("refuses a tampered token in a stored record without running it, and still removes the rest", async () => {
    h = harness();
    const ns = privateNs();
    const rec = recordOf(ns, { ...(await h.backend.create(ns)).data, pfToken: "1; pfctl -d" });
    await expect(h.backend.destroy(rec)).rejects.toMatchObject({ code: "ERR_NS_TEARDOWN" });
    expect(h.mac.runner.lines().some((l) => l.includes("pfctl -d") || l.includes("-X 1;"))).toBe(false);
    expect(h.mac.pf.anchors.size).toBe(0);
  });

  it("refuses a tampered id in enter, exists and destroy", async () => {
    h = harness();
    const rec = recordOf(raw(fullNs(), { id: "../x" }), {});
    expect(() => h.backend.enter(rec)).toThrow(/not accepted/);
    await expect(h.backend.exists(rec)).rejects.toMatchObject({ code: "ERR_NS_INVALID_CONFIG" });
    await expect(h.backend.destroy(rec)).rejects.toMatchObject({ code: "ERR_NS_INVALID_CONFIG" });
  });

  it.each(["relative/dir", "/tmp/a\nb", '/tmp/"x"', "/tmp/a\\b"])("refuses the state dir %j", (stateDir) => {
    expect(() => createMacosBackend({ stateDir })).toThrow(/stateDir/);
  });
});

describe("properties: whatever goes in, what comes out is well-formed or refused", () => {
  const anyString = fc.oneof(
    fc.string(),
    fc.constantFrom(...NASTY),
    fc.stringMatching(/^[a-z]{1,3}[0-9]{1,2}$/),
  );
  const anyPort = fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.constant(Number.NaN), fc.constant("80"));
  const anyAddr = fc.oneof(fc.ipV4(), fc.ipV6(), fc.string(), fc.constant(undefined));
  const forward = fc.record({
    hostPort: anyPort,
    nsPort: anyPort,
    protocol: fc.oneof(fc.constantFrom("tcp", "udp"), fc.string()),
    hostAddr: anyAddr,
  });

  it("pf rule sets pass the grammar checker or the input is refused", () => {
    fc.assert(
      fc.property(anyString, fc.array(forward, { maxLength: 3 }), (uplink, fwds) => {
        const forwards = fwds.map(({ hostAddr, ...f }) => (hostAddr === undefined ? f : { ...f, hostAddr }));
        let rules: string | undefined;
        try {
          rules = renderPfRules({ id: "p", uplink, portForwards: forwards as never, nat: IFACE });
        } catch (e) {
          expect(isNsError(e, "ERR_NS_INVALID_CONFIG")).toBe(true);
          return;
        }
        expect(checkPfRules(rules ?? "")).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("Seatbelt profiles pass the SBPL checker or the input is refused", () => {
    fc.assert(
      fc.property(
        fc.oneof(anyString, fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,10}$/)),
        fc.array(forward, { maxLength: 3 }),
        (id, fwds) => {
          let p: string;
          try {
            p = renderSeatbeltProfile({ id, mode: "private", portForwards: fwds as never });
          } catch (e) {
            expect(isNsError(e, "ERR_NS_INVALID_CONFIG")).toBe(true);
            return;
          }
          expect(checkSbpl(p)).toEqual([]);
          expect(p.split("\n")[0]).toBe(
            `;; ns namespace ${id} (private): generated by @ns/macos, removed on destroy`,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
