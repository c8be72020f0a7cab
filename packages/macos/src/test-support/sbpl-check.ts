/**
 * A grammar-based checker for the Seatbelt profile language (SBPL) subset @ns/macos generates, standing in for
 * `sandbox-exec` on machines without it (this repository's CI runs on Linux).
 *
 * It parses the profile as s-expressions (balanced parentheses, `;` comments, string literals with `\"` and
 * `\\` escapes and no raw newlines or control characters) and then checks every top-level form:
 * - `(version 1)` comes first and exactly once; `(import "<absolute path>")` is allowed;
 * - `(allow|deny <operation>... <filter>...)` names at least one known operation (symbols) before its filters
 *   (lists), and every filter is known and well formed:
 *   `(local|remote <ip|ip4|ip6|tcp|tcp4|tcp6|udp|udp4|udp6> ["<host>:<port>"])` with host `*` or `localhost`
 *   (sandbox-exec refuses numeric hosts: SBPL cannot filter by address) and port `*` or 1..65535;
 *   `(local|remote unix-socket [(path-literal|subpath|literal "<abs path>")])`;
 *   `(literal|subpath|path-literal "<abs path>")`, `(global-name|global-name-prefix "<name>")`,
 *   `(require-all|require-any|require-not <filter>...)`.
 * It does not know every operation Apple defines, only those listed below; an unknown one is an error so that a
 * typo cannot pass. What it cannot prove is that the kernel enforces a rule the way docs/macos.md says.
 */

/** A parsed s-expression. */
export type Sexp =
  | { kind: "list"; items: Sexp[]; line: number }
  | { kind: "symbol" | "string"; value: string; line: number };

const OPERATIONS = new Set([
  "default",
  "network*",
  "network-inbound",
  "network-outbound",
  "network-bind",
  "system-socket",
  "mach-lookup",
  "file-read*",
  "file-write*",
  "file-read-metadata",
  "process-exec",
  "process-fork",
  "sysctl-read",
  "signal",
]);
const IP_PROTOCOLS = new Set(["ip", "ip4", "ip6", "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6"]);
const PATH_FILTERS = new Set(["literal", "subpath", "path-literal"]);
const NAME_FILTERS = new Set(["global-name", "global-name-prefix"]);
const COMBINATORS = new Set(["require-all", "require-any", "require-not"]);

/** Tokenizes and parses SBPL text into top-level forms; throws on lexical or bracket errors. */
export function parseSexps(text: string): Sexp[] {
  const stack: { items: Sexp[]; line: number }[] = [{ items: [], line: 0 }];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      i++;
    } else if (c === " " || c === "\t" || c === "\r") i++;
    else if (c === ";") while (i < text.length && text[i] !== "\n") i++;
    else if (c === "(") {
      stack.push({ items: [], line });
      i++;
    } else if (c === ")") {
      if (stack.length === 1) throw new Error(`line ${line}: unbalanced ')'`);
      const done = stack.pop()!;
      stack.at(-1)!.items.push({ kind: "list", items: done.items, line: done.line });
      i++;
    } else if (c === '"') {
      let value = "";
      i++;
      for (;;) {
        const d = text[i];
        if (d === undefined) throw new Error(`line ${line}: unterminated string`);
        if (d === "\n") throw new Error(`line ${line}: newline inside a string`);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
        if (/[\u0000-\u001f\u007f]/.test(d)) throw new Error(`line ${line}: control character in a string`);
        if (d === '"') break;
        if (d === "\\") {
          const e = text[i + 1];
          if (e !== '"' && e !== "\\") throw new Error(`line ${line}: unknown escape \\${e ?? ""}`);
          value += e;
          i += 2;
        } else {
          value += d;
          i++;
        }
      }
      i++;
      stack.at(-1)!.items.push({ kind: "string", value, line });
    } else {
      const m = /^[A-Za-z0-9*_\-#:.!?+<>=/]+/.exec(text.slice(i));
      if (!m) throw new Error(`line ${line}: unexpected character ${JSON.stringify(c)}`);
      stack.at(-1)!.items.push({ kind: "symbol", value: m[0], line });
      i += m[0].length;
    }
  }
  if (stack.length !== 1) throw new Error(`line ${stack.at(-1)!.line}: unbalanced '(' (missing ')')`);
  return stack[0]!.items;
}

const str = (s: Sexp | undefined): string | undefined => (s?.kind === "string" ? s.value : undefined);
const head = (s: Sexp): string | undefined =>
  s.kind === "list" && s.items[0]?.kind === "symbol" ? s.items[0].value : undefined;

function checkAddress(value: string | undefined, at: string): string[] {
  if (value === undefined) return [];
  const m = /^(\*|localhost):(\*|\d{1,5})$/.exec(value);
  if (!m) return [`${at}: address ${JSON.stringify(value)} must be "<*|localhost>:<*|port>"`];
  if (m[2] !== "*" && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return [`${at}: port out of range`];
  return [];
}

function checkFilter(f: Sexp): string[] {
  const at = `line ${f.line}`;
  if (f.kind !== "list") return [`${at}: filter must be a list, got ${f.kind} ${JSON.stringify(f.value)}`];
  const name = head(f);
  const args = f.items.slice(1);
  if (name === "local" || name === "remote") {
    const proto = args[0]?.kind === "symbol" ? args[0].value : undefined;
    if (proto === "unix-socket" || proto === "unix") {
      if (args.length === 1) return [];
      if (args.length === 2 && args[1]!.kind === "list" && PATH_FILTERS.has(head(args[1]!) ?? ""))
        return checkFilter(args[1]!);
      return [`${at}: (${name} unix-socket) takes at most one path filter`];
    }
    if (!proto || !IP_PROTOCOLS.has(proto)) return [`${at}: unknown protocol in (${name} ...)`];
    if (args.length > 2 || (args.length === 2 && args[1]!.kind !== "string"))
      return [`${at}: (${name} ${proto}) takes at most one address string`];
    return checkAddress(str(args[1]), at);
  }
  if (name !== undefined && PATH_FILTERS.has(name)) {
    const p = str(args[0]);
    return args.length === 1 && p?.startsWith("/") ? [] : [`${at}: (${name}) takes one absolute path string`];
  }
  if (name !== undefined && NAME_FILTERS.has(name))
    return args.length === 1 && str(args[0]) ? [] : [`${at}: (${name}) takes one string`];
  if (name !== undefined && COMBINATORS.has(name)) return args.flatMap(checkFilter);
  return [`${at}: unknown filter ${JSON.stringify(name ?? "(none)")}`];
}

/** Every problem found in an SBPL profile ([] when it passes). */
export function checkSbpl(text: string): string[] {
  let forms: Sexp[];
  try {
    forms = parseSexps(text);
  } catch (e) {
    return [(e as Error).message];
  }
  const problems: string[] = [];
  forms.forEach((form, index) => {
    const at = `line ${form.line}`;
    const name = head(form);
    const args = form.kind === "list" ? form.items.slice(1) : [];
    if (name === "version") {
      if (index !== 0) problems.push(`${at}: (version) must be the first form`);
      if (args.length !== 1 || args[0]?.kind !== "symbol" || args[0].value !== "1")
        problems.push(`${at}: only (version 1) exists`);
    } else if (name === "import") {
      if (args.length !== 1 || !str(args[0])?.startsWith("/"))
        problems.push(`${at}: (import) takes one absolute path`);
    } else if (name === "allow" || name === "deny") {
      let j = 0;
      while (j < args.length && args[j]!.kind === "symbol") {
        const op = (args[j] as { value: string }).value;
        if (!OPERATIONS.has(op)) problems.push(`${at}: unknown operation ${op}`);
        j++;
      }
      if (j === 0) problems.push(`${at}: (${name}) needs an operation`);
      for (const f of args.slice(j)) problems.push(...checkFilter(f));
    } else {
      problems.push(`${at}: unknown form ${JSON.stringify(name ?? form.kind)}`);
    }
  });
  if (head(forms[0] ?? { kind: "symbol", value: "", line: 0 }) !== "version")
    problems.push("the profile must start with (version 1)");
  return problems;
}
