/** Protocols of the isolation matrix, in column order. */
export const MATRIX_PROTOCOLS = ["tcp", "udp", "icmp"] as const;

/** One protocol of the matrix. */
export type MatrixProtocol = (typeof MATRIX_PROTOCOLS)[number];

/**
 * What one probe saw: answered by the endpoint it targeted, nothing, answered by another endpoint (a NAT or
 * forward delivering to the wrong place), or not sent because the target has no address the source could use.
 */
export type MatrixOutcome = "answered" | "blocked" | "not-probed" | { wrongEndpoint: string };

/** One probe of the matrix with the model's verdict. */
export interface MatrixObservation {
  from: string;
  to: string;
  protocol: MatrixProtocol;
  /** Destination address (absent when not probed). */
  addr?: string;
  port?: number;
  outcome: MatrixOutcome;
  /** What canReach says. */
  expected: boolean;
}

/** Outcome of a probe from its reply: the reply must come from the tagged endpoint (ICMP replies carry no tag). */
export function outcomeOf(reply: string | null, protocol: MatrixProtocol, tag: string): MatrixOutcome {
  if (reply === null) return "blocked";
  if (protocol === "icmp") return "answered";
  const by = reply.split(" ")[0] ?? "";
  return by === tag ? "answered" : { wrongEndpoint: reply || "(empty reply)" };
}

/** True when the kernel did not do what the model says; a reply from the wrong endpoint always disagrees. */
export function disagrees(o: MatrixObservation): boolean {
  if (typeof o.outcome === "object") return true;
  return (o.outcome === "answered") !== o.expected;
}

/** One line per disagreement: pair, protocol, target, observed vs expected. */
export function describeDisagreement(o: MatrixObservation): string {
  const target =
    o.addr === undefined ? "(no address)" : `${o.addr}${o.port === undefined ? "" : `:${o.port}`}`;
  const seen =
    typeof o.outcome === "object"
      ? `answered by the wrong endpoint: "${o.outcome.wrongEndpoint}"`
      : o.outcome;
  return `${o.from} -> ${o.to} ${o.protocol.toUpperCase()} to ${target}: observed ${seen}, model says ${
    o.expected ? "reachable" : "blocked"
  }`;
}

const LETTER: Record<MatrixProtocol, string> = { tcp: "T", udp: "U", icmp: "I" };

/** The symbol of one protocol in one cell, followed by "!" when any of its probes disagrees with the model. */
function symbol(obs: readonly MatrixObservation[], protocol: MatrixProtocol): string {
  const mine = obs.filter((o) => o.protocol === protocol);
  const bad = mine.some(disagrees) ? "!" : " ";
  if (mine.some((o) => typeof o.outcome === "object")) return `?${bad}`;
  if (mine.some((o) => o.outcome === "answered")) return `${LETTER[protocol]}${bad}`;
  if (mine.every((o) => o.outcome === "not-probed")) return `-${bad}`;
  return `.${bad}`;
}

/**
 * The matrix as text: rows = from, columns = to, each cell `T U I` (letter = answered by the right endpoint
 * on at least one target address, `.` = blocked, `-` = no address to probe, `?` = wrong endpoint answered),
 * each symbol followed by `!` when a probe of it disagrees with the model.
 */
export function renderMatrix(names: readonly string[], obs: readonly MatrixObservation[]): string {
  const w = Math.max(8, ...names.map((n) => n.length + 1));
  const pad = (s: string) => s.padEnd(w);
  const lines = [pad("from\\to") + names.map(pad).join("")];
  for (const from of names) {
    const cells = names.map((to) => {
      const cell = obs.filter((o) => o.from === from && o.to === to);
      return pad(MATRIX_PROTOCOLS.map((p) => symbol(cell, p)).join(""));
    });
    lines.push(pad(from) + cells.join(""));
  }
  lines.push(
    "T/U/I answered by the target, . blocked, - no address to probe, ? wrong endpoint, ! disagrees with canReach",
  );
  return lines.join("\n");
}
