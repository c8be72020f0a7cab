import { ipFamily, NsError } from "@ns/types";

// The backend defends itself: these checks run on every value that reaches a Seatbelt profile, a pf rule or
// an argv, even when validateConfig already ran, because create() may be called with an unvalidated
// ResolvedNamespace. Each accepts a strict subset so that no value needs quoting in pf's grammar.

const ID_RE = /^[a-z0-9][a-z0-9_-]{0,47}$/;
// BSD interface names are a driver name and a unit number (en0, lo0, utun3, bridge100): never a pf keyword.
const IFNAME_RE = /^[a-z]{1,12}[0-9]{1,3}$/;
const TOKEN_RE = /^[0-9]{1,20}$/;

function invalid(field: string, value: unknown, accepted: string): NsError {
  return new NsError(
    "ERR_NS_INVALID_CONFIG",
    `${field} ${JSON.stringify(value)} is not accepted: ${accepted}`,
    {
      hint: "fix the value; the macOS backend refuses anything that would need quoting in a profile or pf rule",
      details: { issues: [{ field, message: accepted }] },
    },
  );
}

/** A namespace id safe for anchor names and file names (same rule as @ns/types), or ERR_NS_INVALID_CONFIG. */
export function safeId(id: unknown, field = "id"): string {
  if (typeof id !== "string" || !ID_RE.test(id))
    throw invalid(field, id, "1-48 of a-z, 0-9, '-', '_', starting with a letter or digit");
  return id;
}

/** A BSD interface name (letters then a unit number, at most 15 bytes), or ERR_NS_INVALID_CONFIG. */
export function safeIfName(name: unknown, field = "uplink"): string {
  if (typeof name !== "string" || !IFNAME_RE.test(name))
    throw invalid(
      field,
      name,
      "a BSD interface name: 1-12 lowercase letters then a 1-3 digit unit (en0, utun3)",
    );
  return name;
}

/** A port 1..65535, or ERR_NS_INVALID_CONFIG. */
export function safePort(port: unknown, field: string): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535)
    throw invalid(field, port, "an integer 1..65535");
  return port;
}

/** tcp or udp, or ERR_NS_INVALID_CONFIG. */
export function safeProtocol(p: unknown, field: string): "tcp" | "udp" {
  if (p !== "tcp" && p !== "udp") throw invalid(field, p, "tcp or udp");
  return p;
}

/** A strictly written IPv4/IPv6 address (no zone), with its family, or ERR_NS_INVALID_CONFIG. */
export function safeAddress(addr: unknown, field: string): { addr: string; family: 4 | 6 } {
  const family = typeof addr === "string" ? ipFamily(addr) : undefined;
  if (family === undefined) throw invalid(field, addr, "an IPv4 dotted quad or an IPv6 address without zone");
  return { addr: addr as string, family };
}

/** A prefix length valid for the family, or ERR_NS_INVALID_CONFIG. */
export function safePrefix(prefix: unknown, family: 4 | 6, field: string): number {
  const max = family === 4 ? 32 : 128;
  if (typeof prefix !== "number" || !Number.isInteger(prefix) || prefix < 0 || prefix > max)
    throw invalid(field, prefix, `an integer 0..${max}`);
  return prefix;
}

/** A pf enable token: decimal digits only (a 64-bit number, kept as text), or ERR_NS_STATE. */
export function safeToken(token: unknown): string {
  if (typeof token !== "string" || !TOKEN_RE.test(token))
    throw new NsError("ERR_NS_STATE", `pf token ${JSON.stringify(token)} is not a decimal number`, {
      hint: "the stored record is damaged; release the reference by hand with `pfctl -s References` and `pfctl -X`",
    });
  return token;
}

/** An absolute path without control characters or quotes, or ERR_NS_INVALID_CONFIG. */
export function safePath(path: unknown, field = "stateDir"): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
  if (typeof path !== "string" || !path.startsWith("/") || /[\u0000-\u001f\u007f"\\]/.test(path))
    throw invalid(field, path, "an absolute path without control characters, quotes or backslashes");
  return path;
}

/** An SBPL string literal: quotes and backslashes escaped, control characters refused. */
export function sbplString(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw invalid("profile string", value, "no control characters (newlines would end the expression)");
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
