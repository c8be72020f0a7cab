import { spawn } from "node:child_process";

/** One probe of a batch: a new TCP connection, a UDP request expecting a reply, or one ICMP echo. */
export interface BatchProbe {
  protocol: "tcp" | "udp" | "icmp";
  addr: string;
  /** Destination port (tcp/udp). */
  port?: number;
}

/**
 * Runs every probe at once from one node process inside the source namespace: one process start per source
 * instead of one per probe keeps the matrix fast on a busy machine. Per probe, the reply text (TCP/UDP: the
 * server's `<tag> <peer>`; ICMP: "") or null when nothing answered within `ms`.
 */
const PROBER = `
const { probes, ms } = JSON.parse(process.argv[1]);
const net = require("net");
const dgram = require("dgram");
const { spawn } = require("child_process");
const one = (p) => new Promise((resolve) => {
  let done = false;
  const finish = (v) => { if (!done) { done = true; resolve(v); } };
  if (p.protocol === "tcp") {
    const s = net.connect({ host: p.addr, port: p.port });
    let data = "";
    const t = setTimeout(() => { s.destroy(); finish(null); }, ms);
    s.on("data", (d) => { data += d; });
    s.on("end", () => { clearTimeout(t); s.destroy(); finish(data); });
    s.on("error", () => { clearTimeout(t); finish(null); });
  } else if (p.protocol === "udp") {
    const s = dgram.createSocket("udp4");
    const close = () => { try { s.close(); } catch {} };
    const t = setTimeout(() => { close(); finish(null); }, ms);
    s.on("message", (m) => { clearTimeout(t); close(); finish(String(m)); });
    s.on("error", () => { clearTimeout(t); close(); finish(null); });
    s.send("probe", p.port, p.addr);
  } else {
    const w = String(Math.max(1, Math.round(ms / 1000)));
    const c = spawn("ping", ["-n", "-q", "-c", "1", "-W", w, p.addr], { stdio: "ignore" });
    c.on("exit", (code) => finish(code === 0 ? "" : null));
    c.on("error", () => finish(null));
  }
});
Promise.all(probes.map(one)).then((r) => { process.stdout.write(JSON.stringify(r)); process.exit(0); });`;

/**
 * Sends every probe concurrently from inside `prefix` (an enter prefix; [] = here). Resolves to one reply per
 * probe (null = not answered); rejects when the prober itself fails, so a broken prober never reads as "blocked".
 */
export function runProbeBatch(
  prefix: readonly string[],
  probes: readonly BatchProbe[],
  timeoutMs = 1000,
): Promise<(string | null)[]> {
  if (probes.length === 0) return Promise.resolve([]);
  const input = JSON.stringify({ probes, ms: timeoutMs });
  const cmd = [...prefix, process.execPath, "-e", PROBER, input];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout!.on("data", (d) => {
      out += String(d);
    });
    child.stderr!.on("data", (d) => {
      err += String(d);
    });
    // Generous: node start-up on a loaded machine, then at most one probe timeout (all run in parallel).
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs + 20_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      try {
        if (code !== 0) throw new Error(`exit ${code ?? signal}`);
        const replies = JSON.parse(out) as (string | null)[];
        if (replies.length !== probes.length) throw new Error(`${replies.length} replies`);
        resolve(replies);
      } catch (e) {
        reject(new Error(`prober in [${prefix.join(" ")}] failed: ${(e as Error).message}: ${err}`));
      }
    });
  });
}
