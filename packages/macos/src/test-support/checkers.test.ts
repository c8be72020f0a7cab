import { describe, expect, it } from "vitest";
import { checkPfRules, pfTokens } from "./pf-check.ts";
import { checkSbpl, parseSexps } from "./sbpl-check.ts";

/**
 * Tests of the two syntax checkers that stand in for the real tools, which this Linux machine does not have:
 * - sbpl-check.ts: an SBPL s-expression parser (balanced parentheses, `;` comments, string escapes, no raw
 *   newlines) plus a checker of the forms we generate: `(version 1)` first, `(import "/abs")`,
 *   `(allow|deny <known operation>... <filter>...)` with known, well-formed filters (`local`/`remote` with a
 *   known protocol and a "<*|localhost>:<*|port>" address, `unix-socket`, path and mach-name filters);
 * - pf-check.ts: a pf rule-line checker with pfctl's tokenization (comments, quoted strings, `(`, `)`, `{`,
 *   `}`, `,`, `/`, `->`) for the `nat`/`rdr`/`pass`/`block` subset: interface names, address families that
 *   match the addresses, prefixes, ports and port ranges, translation before filter rules.
 * The golden tests run every generated profile and rule set through them, the fake pf refuses to load what
 * pf-check refuses, and these tests show they refuse bad input: a checker that accepts everything proves nothing.
 */

describe("SBPL checker", () => {
  const ok = '(version 1)\n(allow default)\n(deny network*)\n(allow network-inbound (local tcp "*:80"))\n';

  it("accepts a well-formed profile with comments and escaped strings", () => {
    expect(checkSbpl(`;; comment\n${ok}(allow file-read* (literal "/a \\"b\\" \\\\c"))\n`)).toEqual([]);
    expect(parseSexps('(a "x\\"y")')[0]).toMatchObject({ kind: "list" });
  });

  it.each([
    ["an unbalanced (", `${ok}(deny network*`, /unbalanced '\('/],
    ["an unbalanced )", `${ok})`, /unbalanced '\)'/],
    [
      "an unterminated string",
      '(version 1)\n(allow network-inbound (local ip "*:80))\n',
      /unterminated string|newline inside/,
    ],
    [
      "a newline inside a string",
      '(version 1)\n(deny mach-lookup (global-name "a\nb"))\n',
      /newline inside a string/,
    ],
    ["a missing version", "(allow default)\n", /start with \(version 1\)/],
    ["a late version", "(allow default)\n(version 1)\n", /must be the first form/],
    ["version 2", "(version 2)\n", /only \(version 1\)/],
    ["an unknown operation", "(version 1)\n(allow network-everything)\n", /unknown operation/],
    ["an unknown form", "(version 1)\n(permit default)\n", /unknown form/],
    [
      "a numeric host",
      '(version 1)\n(allow network-outbound (remote ip "10.0.0.1:80"))\n',
      /must be "<\*\|localhost>/,
    ],
    [
      "a port out of range",
      '(version 1)\n(allow network-inbound (local tcp "*:70000"))\n',
      /port out of range/,
    ],
    ["an unknown protocol", '(version 1)\n(allow network-inbound (local sctp "*:1"))\n', /unknown protocol/],
    ["an unknown filter", '(version 1)\n(allow network* (remote-host "x"))\n', /unknown filter/],
    ["a relative path", '(version 1)\n(deny network-outbound (literal "var/run/x"))\n', /absolute path/],
    ["an operation-less rule", '(version 1)\n(allow (local ip "*:*"))\n', /needs an operation/],
    ["a bad escape", '(version 1)\n(deny mach-lookup (global-name "a\\nb"))\n', /unknown escape/],
    [
      "a stray symbol after filters",
      '(version 1)\n(allow network* (local ip "*:*") (remote ip "*:*") x)\n',
      /filter must be a list/,
    ],
  ])("refuses %s", (_what, text, re) => {
    const problems = checkSbpl(text);
    expect(problems.join("\n")).toMatch(re);
  });
});

describe("pf rule checker", () => {
  it("tokenizes like pfctl: parentheses, slashes and the arrow are tokens", () => {
    expect(pfTokens("nat on en0 inet from 10.0.0.0/30 to any -> (en0) # c")).toEqual([
      "nat",
      "on",
      "en0",
      "inet",
      "from",
      "10.0.0.0",
      "/",
      "30",
      "to",
      "any",
      "->",
      "(",
      "en0",
      ")",
    ]);
    expect(pfTokens('rdr on "en0" inet')).toEqual(["rdr", "on", '"en0"', "inet"]);
  });

  it("accepts the generated subset and filter rules after translation rules", () => {
    const text = [
      "# comment",
      "nat on en0 inet from 10.200.0.0/30 to any -> (en0)",
      "rdr pass on lo0 inet6 proto tcp from any to any port 8080 -> ::1 port 80",
      'rdr on "en0" inet proto udp from any to (en0) port 1000:1010 -> 127.0.0.1 port 2000:2010',
      "pass in quick on en0 inet proto tcp from any to 127.0.0.1 port = 80 keep state",
      "block drop out on en0 inet6 from any to fe80::/10",
      "",
    ].join("\n");
    expect(checkPfRules(text)).toEqual([]);
  });

  it.each([
    [
      "an unterminated quote",
      'rdr on "en0 inet proto tcp from any to any port 1 -> 127.0.0.1',
      /unterminated/,
    ],
    [
      "an injected keyword in an interface",
      "nat on en0 port 22 inet from any to any -> (en0)",
      /address family/,
    ],
    ["a brace", "rdr on en0 inet proto tcp from any to any port 1 -> 127.0.0.1 port 2 }", /unexpected "}"/],
    ["a semicolon word", "rdr on en0; inet proto tcp from any to any port 1 -> 127.0.0.1", /interface name/],
    [
      "an address of the wrong family",
      "rdr on en0 inet proto tcp from any to ::1 port 1 -> 127.0.0.1",
      /does not match inet/,
    ],
    ["a reversed port range", "rdr on en0 inet proto tcp from any to any port 9:1 -> 127.0.0.1", /bad port/],
    ["port 0", "rdr on en0 inet proto tcp from any to any port 0 -> 127.0.0.1", /bad port/],
    ["an unknown action", "redirect on en0 inet from any to any -> 127.0.0.1", /expected nat, rdr/],
    ["a missing arrow", "rdr on en0 inet proto tcp from any to any port 1 127.0.0.1", /expected '->'/],
    [
      "translation after filter",
      "pass in on en0 inet from any to any\nnat on en0 inet from any to any -> (en0)",
      /after filter/,
    ],
    ["a prefix too long", "nat on en0 inet from 10.0.0.0/33 to any -> (en0)", /prefix length/],
    ["a protocol outside tcp/udp", "rdr on en0 inet proto icmp from any to any -> 127.0.0.1", /tcp or udp/],
  ])("refuses %s", (_what, text, re) => {
    expect(checkPfRules(text).join("\n")).toMatch(re);
  });
});
