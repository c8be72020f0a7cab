import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { netnsName, vethName } from "@ns/linux";
import { describeKernel, netnsPrefix, probeTcp, startServers, type TestServers } from "@ns/linux/testing";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { assertBuilt, binSandbox, until } from "../test-support/bin.ts";

// The BUILT `ns` binary on the real Linux backend, inside the fake host of @ns/linux/testing
// (run through packages/linux/scripts/in-fake-host.ts; see apps/cli/package.json "test").

// Connects to each target and prints one JSON line: interfaces seen and the outcome of each connection.
const PROBE = `
const net = require("net");
const names = Object.keys(require("os").networkInterfaces());
const targets = process.argv.slice(1);
const out = { interfaces: names, connect: {} };
let left = targets.length;
const done = () => { if (--left <= 0) { console.log(JSON.stringify(out)); process.exit(0); } };
if (left === 0) { left = 1; done(); }
for (const t of targets) {
  const [host, port] = t.split(":");
  const s = net.connect({ host, port: Number(port) });
  s.setTimeout(1500, () => { out.connect[t] = "timeout"; s.destroy(); done(); });
  s.on("connect", () => { out.connect[t] = "connected"; s.destroy(); done(); });
  s.on("error", (e) => { out.connect[t] = e.code; done(); });
}`;

// Serves "hello from ns" on :80, then reports what the upstream server says about our address.
const SERVER = `
const net = require("net");
const [upAddr, upPort] = process.argv.slice(1);
net.createServer((c) => c.end("hello from ns")).listen(80, "0.0.0.0", () => {
  const s = net.connect({ host: upAddr, port: Number(upPort) });
  let reply = "";
  s.on("data", (d) => (reply += d));
  s.on("end", () => console.log("upstream said: " + reply));
  s.on("error", (e) => console.log("upstream error: " + e.code));
});`;

const sh = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return "";
  }
};
const netnsList = () => sh("ip", ["netns", "list"]);
const links = () => sh("ip", ["-o", "link"]);
const nftTable = () => sh("nft", ["list", "table", "inet", "nsx"]);

/** Nothing of namespace `id` remains: no netns, no veth, nothing in our nft table naming it. */
function assertGone(id: string, extra: string[] = []) {
  expect(netnsList()).not.toContain(netnsName(id));
  expect(links()).not.toContain(vethName(id));
  const table = nftTable();
  for (const s of [vethName(id), id, ...extra]) expect(table).not.toContain(s);
}

describeKernel("ns CLI on the Linux backend", (env) => {
  let box: ReturnType<typeof binSandbox>;
  let upstream: TestServers;
  let hostServer: Server;
  const HOST_PORT = 18999;

  beforeAll(async () => {
    assertBuilt();
    upstream = await startServers(netnsPrefix(env.upstreamNs), 18500, 18501, "upstream");
    hostServer = createServer((c) => c.end("host")).listen(HOST_PORT, "0.0.0.0");
  });
  afterAll(async () => {
    await upstream?.stop();
    hostServer?.close();
  });
  // A fresh temporary --state-dir for every test (never /var/lib/ns).
  beforeEach(() => {
    box = binSandbox("linux");
  });
  afterEach(async () => {
    // Whatever a failed test left: kill its `ns run`s, destroy through the CLI, then gc the fake host.
    box.stop();
    await new Promise((r) => setTimeout(r, 200));
    await box.ns("destroy", "--all");
    await box.ns("gc");
    box.cleanup();
  });

  it("full mode sees only lo and cannot connect anywhere", async () => {
    const targets = [`${env.hostAddr}:${HOST_PORT}`, `${env.upstreamAddr}:18500`, `127.0.0.1:${HOST_PORT}`];
    const r = await box.ns("run", "--mode", "full", "--", process.execPath, "-e", PROBE, ...targets);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.interfaces).toEqual(["lo"]);
    expect(out.connect[`${env.hostAddr}:${HOST_PORT}`]).toBe("ENETUNREACH");
    expect(out.connect[`${env.upstreamAddr}:18500`]).toBe("ENETUNREACH");
    expect(out.connect[`127.0.0.1:${HOST_PORT}`]).toBe("ECONNREFUSED"); // its own loopback, not the host's
    // The same probe outside reaches both, so the refusals above are the namespace's doing.
    expect(await probeTcp([], env.upstreamAddr, 18500)).toMatch(/^upstream /);
    expect(await box.ns("list", "-q")).toMatchObject({ stdout: "" });
  });

  it("private mode with a forward is reachable from the host and reaches upstream through NAT", async () => {
    const run = box.start(
      "run",
      "--mode",
      "private",
      "--uplink",
      env.uplink,
      "--forward",
      "18080:80",
      "--",
      process.execPath,
      "-e",
      SERVER,
      env.upstreamAddr,
      "18500",
    );
    await until(() => run.stdout().includes("upstream"), 10_000);
    expect(run.stdout()).toBe(`upstream said: upstream ${env.hostAddr}\n`); // masqueraded to the host's address
    expect(await probeTcp([], env.hostAddr, 18080)).toBe("hello from ns");
    expect(await probeTcp([], "127.0.0.1", 18080)).toBe("hello from ns");
    const [id] = (await box.ns("list", "-q")).stdout.split("\n");
    expect(netnsList()).toContain(netnsName(id!));
    run.child.kill("SIGTERM");
    const r = await run.done;
    expect(r.code).toBe(143); // node's default SIGTERM action: killed by signal 15
    assertGone(id!, ["18080"]);
  });

  it("propagates exit codes and signals", async () => {
    expect((await box.ns("run", "--mode", "full", "--", "sh", "-c", "exit 7")).code).toBe(7);
    expect((await box.ns("run", "--mode", "full", "--", "sh", "-c", "kill -KILL $$")).code).toBe(137);
    expect((await box.ns("run", "--mode", "full", "--", "/nonexistent")).code).toBe(127);
    const script = "trap 'exit 42' INT; echo ready; while :; do sleep 0.05; done";
    const run = box.start("run", "--mode", "private", "--uplink", env.uplink, "--", "sh", "-c", script);
    await until(() => run.stdout().includes("ready"), 10_000);
    const [id] = (await box.ns("list", "-q")).stdout.split("\n");
    run.child.kill("SIGINT");
    expect((await run.done).code).toBe(42);
    assertGone(id!);
  });

  it("create, exec, stats and destroy across processes", async () => {
    const created = await box.ns(
      "create",
      "--name",
      "k1",
      "--mode",
      "private",
      "--uplink",
      env.uplink,
      "--json",
    );
    expect(created.code).toBe(0);
    const info = JSON.parse(created.stdout);
    expect(info).toMatchObject({ id: "k1", backend: "linux", enforced: true, uplink: env.uplink });
    const exec = await box.ns("exec", "k1", "--", "ip", "-o", "-4", "addr", "show", "dev", "eth0");
    expect(exec.code).toBe(0);
    expect(exec.stdout).toContain(`${info.interface.ipAddr}/${info.interface.prefixLen}`);
    const stats = JSON.parse((await box.ns("stats", "k1", "--json")).stdout);
    expect(stats.interfaces.map((i: { name: string }) => i.name).sort()).toEqual(["eth0", "lo"]);
    expect((await box.ns("destroy", "k1")).code).toBe(0);
    assertGone("k1");
  });

  it("SIGKILL of ns run leaves state that ns gc removes completely", async () => {
    const run = box.start(
      "run",
      "--mode",
      "private",
      "--uplink",
      env.uplink,
      "--forward",
      "18081:80",
      "--",
      "sh",
      "-c",
      "echo ready; exec sleep 60",
    );
    await until(() => run.stdout().includes("ready"), 10_000);
    const [id] = (await box.ns("list", "-q")).stdout.split("\n");
    expect(netnsList()).toContain(netnsName(id!));
    expect(links()).toContain(vethName(id!));
    run.child.kill("SIGKILL");
    await run.done;
    expect(netnsList()).toContain(netnsName(id!)); // nothing cleaned up yet
    const gc = await box.ns("gc", "--json");
    expect(gc.code).toBe(0);
    expect(JSON.parse(gc.stdout).removedRecords).toEqual([id]);
    expect((await box.ns("list", "-q")).stdout).toBe("");
    assertGone(id!, ["18081"]);
  });
});
