import { type BatchProbe, runProbeBatch } from "./matrix-probe.ts";
import { MATRIX_PROTOCOLS, type MatrixObservation, type MatrixProtocol, outcomeOf } from "./matrix-table.ts";

/** One endpoint of the matrix: where its probes start and where its servers (tagged with `name`) listen. */
export interface MatrixEndpointSpec {
  name: string;
  /** Enter prefix of the endpoint ([] = this process's stack). */
  prefix: readonly string[];
  tcpPort: number;
  udpPort: number;
}

/** What the matrix runs: endpoints, the addresses a source probes a target at, and the model's verdict. */
export interface MatrixInput<E extends MatrixEndpointSpec> {
  endpoints: readonly E[];
  /** Addresses of `to` that `from` probes; [] when `to` has no address `from` could use. */
  targets(from: E, to: E): string[];
  /** The model: does a probe from `from` reach a service on `to`? */
  model(from: E, to: E, probe: { protocol: MatrixProtocol; port?: number }): boolean;
  /** Timeout of one probe (ms). */
  timeoutMs: number;
  /** Timeout of the single retry of a probe the model allows that was not answered (ms). */
  retryTimeoutMs: number;
}

/** Every observation of one run, and how many probes it sent and retried. */
export interface MatrixResult {
  observations: MatrixObservation[];
  probes: number;
  retried: number;
}

interface Planned {
  obs: MatrixObservation;
  probe: BatchProbe;
  tag: string;
}

function planSource<E extends MatrixEndpointSpec>(input: MatrixInput<E>, from: E, out: MatrixObservation[]) {
  const planned: Planned[] = [];
  for (const to of input.endpoints)
    for (const protocol of MATRIX_PROTOCOLS) {
      const port = protocol === "tcp" ? to.tcpPort : protocol === "udp" ? to.udpPort : undefined;
      const expected = input.model(from, to, port === undefined ? { protocol } : { protocol, port });
      const addrs = input.targets(from, to);
      if (addrs.length === 0)
        out.push({ from: from.name, to: to.name, protocol, outcome: "not-probed", expected });
      for (const addr of addrs) {
        const obs: MatrixObservation = {
          from: from.name,
          to: to.name,
          protocol,
          addr,
          outcome: "blocked",
          expected,
        };
        if (port !== undefined) obs.port = port;
        out.push(obs);
        planned.push({
          obs,
          probe: port === undefined ? { protocol, addr } : { protocol, addr, port },
          tag: to.name,
        });
      }
    }
  return planned;
}

async function send(prefix: readonly string[], items: readonly Planned[], ms: number): Promise<void> {
  const replies = await runProbeBatch(
    prefix,
    items.map((i) => i.probe),
    ms,
  );
  items.forEach((item, k) => {
    item.obs.outcome = outcomeOf(replies[k] ?? null, item.obs.protocol, item.tag);
  });
}

/**
 * Probes every ordered pair (so both directions) over TCP, UDP and ICMP, every source at once. A probe the
 * model allows that was not answered is retried once with a longer timeout: load can delay an answer but
 * cannot fake one, so what still disagrees afterwards is the kernel's doing.
 */
export async function runMatrix<E extends MatrixEndpointSpec>(input: MatrixInput<E>): Promise<MatrixResult> {
  const observations: MatrixObservation[] = [];
  const plans = input.endpoints.map((from) => ({ from, items: planSource(input, from, observations) }));
  await Promise.all(plans.map(({ from, items }) => send(from.prefix, items, input.timeoutMs)));
  const retries = plans.map(({ from, items }) => ({
    from,
    items: items.filter((i) => i.obs.expected && i.obs.outcome === "blocked"),
  }));
  await Promise.all(
    retries.filter((r) => r.items.length > 0).map((r) => send(r.from.prefix, r.items, input.retryTimeoutMs)),
  );
  return {
    observations,
    probes: plans.reduce((n, p) => n + p.items.length, 0),
    retried: retries.reduce((n, r) => n + r.items.length, 0),
  };
}
