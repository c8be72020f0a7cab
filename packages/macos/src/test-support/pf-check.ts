import { ipFamily } from "@ns/types";

/**
 * A rule-line checker for the subset of pf.conf grammar @ns/macos generates, standing in for `pfctl -n -f`
 * on machines without pfctl. Lexing follows pfctl's: `#` starts a comment, `"..."` is a string (no newline,
 * no unterminated quote), `( ) { } , ! = < > /` are tokens of their own, `->` is the arrow. Lines:
 *
 *   nat [pass] on IF AF [proto P] from HOST [port PORT] to HOST [port PORT] -> (IF) | ADDR
 *   rdr [pass] on IF AF [proto P] from HOST [port PORT] to HOST [port PORT] -> ADDR [port PORT]
 *   pass|block [drop|return] [in|out] [log] [quick] [on IF] [AF] [proto P] from HOST [port PORT] to HOST
 *       [port PORT] [keep state|no state]
 *
 * IF is a BSD interface name (letters then a unit number), AF inet|inet6, P tcp|udp, HOST any|self|ADDR[/N]|(IF),
 * PORT N, N:M or = N with 1 <= N <= M <= 65535. Addresses must match the rule's AF. Translation rules (nat, rdr)
 * must come before filter rules, as pf requires. Every problem is reported with its line number.
 */

const IF_RE = /^[a-z]{1,12}[0-9]{1,3}$/;

/** Splits one line into pf tokens; throws on an unterminated string. */
export function pfTokens(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === "#") break;
    if (/\s/.test(c)) i++;
    else if (c === '"') {
      const end = line.indexOf('"', i + 1);
      if (end < 0) throw new Error("unterminated quoted string");
      out.push(line.slice(i, end + 1));
      i = end + 1;
    } else if (c === "-" && line[i + 1] === ">") {
      out.push("->");
      i += 2;
    } else if ("(){},!=<>/".includes(c)) {
      out.push(c);
      i++;
    } else {
      const m = /^[^\s"(){},!=<>/#]+/.exec(line.slice(i))!;
      out.push(m[0]);
      i += m[0].length;
    }
  }
  return out;
}

function parseRule(tokens: string[]): { kind: "translation" | "filter"; problems: string[] } {
  let i = 0;
  const problems: string[] = [];
  const peek = () => tokens[i];
  const take = (...words: string[]) => {
    if (words.includes(peek() ?? "")) return tokens[i++]!;
    return undefined;
  };
  const expect = (what: string, ok: (t: string) => boolean) => {
    const t = tokens[i++];
    if (t === undefined || !ok(t))
      throw new Error(`expected ${what}, got ${t === undefined ? "end of line" : JSON.stringify(t)}`);
    return t;
  };
  const unquote = (t: string) => (t.startsWith('"') ? t.slice(1, -1) : t);
  const ifname = () => expect("an interface name", (t) => IF_RE.test(unquote(t)));
  let af: "inet" | "inet6" | undefined;
  const addrOk = (t: string) => {
    const fam = ipFamily(unquote(t));
    if (fam === undefined) return false;
    if (af !== undefined && (fam === 4) !== (af === "inet"))
      problems.push(`address ${t} does not match ${af}`);
    return true;
  };
  const host = () => {
    if (take("any", "self")) return;
    if (take("(")) {
      ifname();
      expect("')'", (t) => t === ")");
      return;
    }
    const a = expect("an address, any, self or (if)", addrOk);
    if (take("/")) {
      const max = ipFamily(unquote(a)) === 4 ? 32 : 128;
      expect(`a prefix length 0..${max}`, (t) => /^\d{1,3}$/.test(t) && Number(t) <= max);
    }
  };
  const portNum = (t: string) => /^\d{1,5}$/.test(t) && Number(t) >= 1 && Number(t) <= 65535;
  const port = () => {
    take("=");
    const p = unquote(expect("a port or port range", (t) => /^"?\d{1,5}(:\d{1,5})?"?$/.test(t)));
    const [a, b = a] = p.split(":");
    if (!portNum(a!) || !portNum(b!) || Number(a) > Number(b)) problems.push(`bad port ${p}`);
  };
  const head = () => {
    if (take("on")) ifname();
    const f = take("inet", "inet6");
    if (f) af = f as "inet" | "inet6";
    if (take("proto")) expect("tcp or udp", (t) => t === "tcp" || t === "udp");
    expect("from", (t) => t === "from");
    host();
    if (take("port")) port();
    expect("to", (t) => t === "to");
    host();
    if (take("port")) port();
  };

  const action = expect("nat, rdr, pass or block", (t) => ["nat", "rdr", "pass", "block"].includes(t));
  if (action === "nat" || action === "rdr") {
    take("pass");
    if (peek() !== "on") throw new Error(`${action} needs 'on <interface>'`);
    if (!["inet", "inet6"].includes(tokens[i + 2] ?? ""))
      throw new Error(`${action} needs an address family`);
    head();
    expect("'->'", (t) => t === "->");
    if (action === "nat" && take("(")) {
      ifname();
      expect("')'", (t) => t === ")");
    } else {
      expect("a redirection address", addrOk);
      if (action === "rdr" && take("port")) port();
    }
  } else {
    if (action === "block") take("drop", "return");
    take("in", "out");
    take("log");
    take("quick");
    head();
    if (take("keep", "no")) expect("state", (t) => t === "state");
  }
  if (i < tokens.length) throw new Error(`unexpected ${JSON.stringify(tokens[i])} after the rule`);
  return { kind: action === "nat" || action === "rdr" ? "translation" : "filter", problems };
}

/** Every problem found in a pf rule set ([] when it passes). */
export function checkPfRules(text: string): string[] {
  const problems: string[] = [];
  let sawFilter = false;
  text.split("\n").forEach((line, n) => {
    const at = `line ${n + 1}`;
    try {
      const tokens = pfTokens(line);
      if (tokens.length === 0) return;
      const r = parseRule(tokens);
      if (r.kind === "filter") sawFilter = true;
      else if (sawFilter) problems.push(`${at}: translation rule after filter rules`);
      problems.push(...r.problems.map((p) => `${at}: ${p}`));
    } catch (e) {
      problems.push(`${at}: ${(e as Error).message}`);
    }
  });
  return problems;
}
