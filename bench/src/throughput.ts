import { FAKE, inUpstream } from "./fake-host.ts";
import { exec, sleep, startDaemon } from "./proc.ts";
import type { Collector, Profile, Row } from "./result.ts";
import { compare } from "./result.ts";
import { FORWARD } from "./scripts.ts";
import { summarize } from "./stats.ts";
import { NAMES } from "./targets.ts";

const upstream = (): string[] => {
  const [cmd, args] = inUpstream([]);
  return [cmd, ...args];
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One iperf3 run: server under `serverPrefix`, client under `clientPrefix`; Mbit/s received. */
async function iperf(
  serverPrefix: string[],
  clientPrefix: string[],
  addr: string,
  connectPort: number,
  seconds: number,
): Promise<number> {
  const [scmd, ...sargs] = [...serverPrefix, "iperf3", "-s", "-p", String(FORWARD.nsPort)];
  const server = startDaemon(scmd!, sargs);
  try {
    const [ccmd, ...cargs] = [
      ...clientPrefix,
      "iperf3",
      "-c",
      addr,
      "-p",
      String(connectPort),
      "-t",
      String(seconds),
      "-J",
    ];
    let last = "";
    for (let attempt = 0; attempt < 40; attempt++) {
      const r = await exec(ccmd!, cargs, { allowFailure: true, timeoutMs: (seconds + 20) * 1000 });
      // iperf3 -J may exit 0 with {"error": ...} when the server is not listening yet.
      const j = parseJson(r.stdout) as {
        error?: string;
        end?: { sum_received?: { bits_per_second: number } };
      };
      const bps = j?.end?.sum_received?.bits_per_second;
      if (r.code === 0 && bps !== undefined && !j?.error) return bps / 1e6;
      last = r.stdout.slice(0, 300) + r.stderr.slice(0, 300);
      await sleep(50); // server not listening yet
    }
    throw new Error(`iperf3 client never connected to ${addr}:${connectPort}: ${last}`);
  } finally {
    await server.stop();
  }
}

async function repeat(p: Profile, fn: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < p.iperfRepeats; i++) out.push(await fn());
  return out;
}

/** Direct fake host -> upstream throughput: the ceiling every NAT/forward figure is compared with. */
export async function runDirect(c: Collector, p: Profile): Promise<Row> {
  const v = await repeat(p, () => iperf(upstream(), [], FAKE.upstreamAddr, FORWARD.nsPort, p.iperfSeconds));
  return c.add({
    section: NAMES.tput,
    name: "direct: fake host -> upstream (no namespace, no NAT)",
    unit: "Mbit/s",
    summary: summarize(v),
  });
}

/** NAT (namespace -> upstream) and forward (upstream -> host port -> namespace) with `alive` namespaces. */
export async function runThroughput(
  c: Collector,
  p: Profile,
  enter: string[],
  alive: number,
  direct: Row | undefined,
): Promise<{ nat: Row; fwd: Row }> {
  const nat = await repeat(p, () =>
    iperf(upstream(), enter, FAKE.upstreamAddr, FORWARD.nsPort, p.iperfSeconds),
  );
  const fwd = await repeat(p, () =>
    iperf(enter, upstream(), FAKE.hostAddr, FORWARD.hostPort, p.iperfSeconds),
  );
  return {
    nat: c.add(
      compare(
        {
          section: NAMES.tput,
          name: `NAT: namespace -> upstream, ${alive} alive`,
          unit: "Mbit/s",
          summary: summarize(nat),
        },
        direct,
      ),
    ),
    fwd: c.add(
      compare(
        {
          section: NAMES.tput,
          name: `forward: upstream -> host port -> namespace, ${alive} alive`,
          unit: "Mbit/s",
          summary: summarize(fwd),
        },
        direct,
      ),
    ),
  };
}
