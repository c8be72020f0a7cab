import { type ChildProcess, spawn } from "node:child_process";

/** Runs node with a script, optionally inside a namespace via its enter prefix; resolves to stdout and exit code. */
function runNode(prefix: readonly string[], script: string, args: string[], timeoutMs: number) {
  const cmd = [...prefix, process.execPath, "-e", script, ...args];
  return new Promise<{ code: number; stdout: string }>((resolve) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ["ignore", "pipe", "ignore"] });
    let stdout = "";
    child.stdout!.on("data", (d) => {
      stdout += String(d);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs + 3000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout });
    });
  });
}

const TCP_CLIENT = `
const [addr, port, ms] = process.argv.slice(1);
const s = require("net").connect({ host: addr, port: Number(port) });
let data = "";
s.setTimeout(Number(ms), () => process.exit(2));
s.on("data", (d) => (data += d));
s.on("end", () => { process.stdout.write(data); process.exit(0); });
s.on("error", () => process.exit(1));`;

const UDP_CLIENT = `
const [addr, port, ms, src] = process.argv.slice(1);
const s = require("dgram").createSocket("udp4");
if (src !== "0") s.bind(Number(src));
s.on("message", (m) => { process.stdout.write(String(m)); process.exit(0); });
s.on("error", () => process.exit(1));
s.send("probe", Number(port), addr);
setTimeout(() => process.exit(2), Number(ms));`;

/** Opens a TCP connection from inside `prefix` (an enter prefix; [] = here); resolves to the server's reply, or undefined when it fails. */
export async function probeTcp(
  prefix: readonly string[],
  addr: string,
  port: number,
  timeoutMs = 1500,
): Promise<string | undefined> {
  const r = await runNode(prefix, TCP_CLIENT, [addr, String(port), String(timeoutMs)], timeoutMs);
  return r.code === 0 ? r.stdout : undefined;
}

/** Sends a UDP datagram from inside `prefix` (from `sourcePort` when given, to reuse one conntrack entry); resolves to the reply, or undefined when none came. */
export async function probeUdp(
  prefix: readonly string[],
  addr: string,
  port: number,
  timeoutMs = 1500,
  sourcePort = 0,
): Promise<string | undefined> {
  const args = [addr, String(port), String(timeoutMs), String(sourcePort)];
  const r = await runNode(prefix, UDP_CLIENT, args, timeoutMs);
  return r.code === 0 ? r.stdout : undefined;
}

/** One ICMP echo from inside `prefix`; true when answered. */
export async function probeIcmp(prefix: readonly string[], addr: string, timeoutMs = 1000): Promise<boolean> {
  const cmd = [...prefix, "ping", "-n", "-q", "-c", "1", "-W", String(timeoutMs / 1000), addr];
  return new Promise((resolve) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: "ignore" });
    child.on("exit", (code) => resolve(code === 0));
    child.on("error", () => resolve(false));
  });
}

const SERVERS = `
const [tag, tcpPort, udpPort] = process.argv.slice(1);
let ready = 0;
const done = () => { if (++ready === 2) process.stdout.write("ready\\n"); };
const t = require("net").createServer((c) => { c.end(tag + " " + c.remoteAddress.replace(/^::ffff:/, "")); });
t.listen(Number(tcpPort), "0.0.0.0", done);
const u = require("dgram").createSocket("udp4");
u.on("message", (m, r) => u.send(tag + " " + r.address, r.port, r.address));
u.bind(Number(udpPort), "0.0.0.0", done);`;

/** Running test servers: TCP and UDP, each answering `<tag> <peer address>`. */
export interface TestServers {
  /** Pid of the server process (killed by stop). */
  pid: number;
  /** Kills the servers and waits for them to exit. */
  stop(): Promise<void>;
}

/** Starts a TCP and a UDP server inside `prefix` and resolves once both listen. */
export async function startServers(
  prefix: readonly string[],
  tcpPort: number,
  udpPort: number,
  tag = "ns",
): Promise<TestServers> {
  const cmd = [...prefix, process.execPath, "-e", SERVERS, tag, String(tcpPort), String(udpPort)];
  const child: ChildProcess = spawn(cmd[0]!, cmd.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`servers did not start: ${err}`)), 10_000);
    child.stdout!.on("data", (d) => {
      out += String(d);
      if (out.includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on("data", (d) => {
      err += String(d);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`servers exited with ${code}: ${err}`));
    });
  });
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Enter prefix of a named namespace the tests made themselves (e.g. the upstream), without DNS handling. */
export function netnsPrefix(name: string, netnsDir = "/run/netns"): string[] {
  return ["nsenter", `--net=${netnsDir}/${name}`, "--"];
}
