import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assertBuilt, BIN, binSandbox, until } from "../test-support/bin.ts";

// The built `ns` binary on the simulation backend: works unprivileged, state shared through --state-dir.
// A fresh temporary --state-dir for every test.
let box: ReturnType<typeof binSandbox>;
beforeAll(() => assertBuilt());
beforeEach(() => {
  box = binSandbox("simulation");
});
afterEach(() => box.cleanup());

const ids = async () => (await box.ns("list", "-q")).stdout.split("\n").filter(Boolean);

describe("ns across separate processes (simulation)", () => {
  it("create in one process, list/info in others, destroy in another", async () => {
    const [a, b] = await Promise.all([
      box.ns("create", "--name", "alpha", "--mode", "private", "--forward", "18080:80", "--json"),
      box.ns("create", "--name", "beta", "--mode", "private", "--json"),
    ]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const alpha = JSON.parse(a.stdout);
    const beta = JSON.parse(b.stdout);
    expect(alpha.interface.ipAddr).not.toBe(beta.interface.ipAddr);
    const list = await box.ns("list", "--json");
    expect(
      JSON.parse(list.stdout)
        .namespaces.map((n: { id: string }) => n.id)
        .sort(),
    ).toEqual(["alpha", "beta"]);
    const info = await box.ns("info", "alpha", "--json");
    expect(JSON.parse(info.stdout)).toEqual(alpha);
    const human = await box.ns("list");
    expect(human.stdout).toMatch(/^alpha\s+private\s+simulation\s+no\s+-\s+\S+\s+18080->80\/tcp/m);
    expect((await box.ns("destroy", "alpha", "beta")).code).toBe(0);
    expect(await ids()).toEqual([]);
  });

  it("a forward's host port stays claimed across processes until destroyed", async () => {
    expect((await box.ns("create", "--name", "one", "--mode", "private", "--forward", "18081:80")).code).toBe(
      0,
    );
    const clash = await box.ns("create", "--name", "two", "--mode", "private", "--forward", "18081:81");
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/^error: .*18081/m);
    expect(clash.stderr).toMatch(/^hint: /m);
    await box.ns("destroy", "one");
    expect((await box.ns("create", "--name", "two", "--mode", "private", "--forward", "18081:81")).code).toBe(
      0,
    );
    await box.ns("destroy", "--all");
  });
});

describe("invalid input exits 2, names the value, creates nothing", () => {
  const cases: [string[], RegExp][] = [
    [["--mode", "bogus"], /invalid --mode "bogus": accepted are full, private, shared, bridged/],
    [["--mode", "private", "--forward", "80"], /invalid --forward "80": expected HOST_PORT:NS_PORT/],
    [["--mode", "private", "--forward", "0:80"], /invalid --forward "0:80": hostPort must be 1\.\.65535/],
    [["--mode", "private", "--forward", "80:80/icmp"], /protocol "icmp" is not tcp or udp/],
    [["--mode", "private", "--dns", "999.1.1.1"], /invalid --dns "999.1.1.1"/],
    [["--mode", "private", "--ip", "10.9.9.9"], /invalid --ip "10.9.9.9": expected ADDRESS\/PREFIX/],
    [["--mode", "private", "--ip", "10.9.9.9/24", "--gateway", "10.8.0.1"], /invalid --gateway "10.8.0.1"/],
    [["--mode", "private", "--gateway", "10.9.9.1"], /--gateway needs --ip/],
    [["--mode", "bridged"], /--bridge: required in bridged mode/],
    [["--mode", "bridged", "--bridge", "bad/name"], /invalid --bridge "bad\/name"/],
    [["--mode", "private", "--uplink", "x".repeat(16)], /invalid --uplink "x{16}": must be at most 15 bytes/],
    [["--mode", "full", "--forward", "80:80"], /--forward: not allowed in full mode/],
    [["--name", "UPPER"], /invalid --name "UPPER"/],
    [["--pid", "-3"], /invalid --pid|unknown option '-3'|argument missing/],
    [["--pid", "x"], /invalid --pid "x": expected a positive integer/],
    [["--backend", "zfs"], /invalid --backend "zfs": accepted are auto, linux, macos, simulation/],
  ];
  it.each(cases)("ns create %j", async (args, re) => {
    const r = await box.ns("create", ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toMatch(/^hint: /m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(box.stateDir, "state.db"))).toBe(false); // not even the state was opened
  });

  it("ns run with invalid options does not start the command", async () => {
    const marker = join(box.stateDir, "ran");
    const r = await box.ns("run", "--mode", "private", "--forward", "99999:80", "--", "touch", marker);
    expect(r.code).toBe(2);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(box.stateDir, "state.db"))).toBe(false);
  });
});

describe("ns run (simulation)", () => {
  it("passes stdout through and exits with the command's code", async () => {
    const r = await box.ns("run", "--mode", "full", "--", "sh", "-c", 'echo "in $NS_NAMESPACE_ID"; exit 7');
    expect(r.code).toBe(7);
    expect(r.stdout).toMatch(/^in ns-[0-9a-f]{12}$/m);
    expect(await ids()).toEqual([]);
  });

  it("forwards SIGTERM to the command and still cleans up", async () => {
    const marker = join(box.stateDir, "term");
    const script = `trap 'echo got-term > ${marker}; exit 42' TERM; echo ready; while :; do sleep 0.05; done`;
    const run = box.start("run", "--mode", "private", "--", "sh", "-c", script);
    await until(() => run.stdout().includes("ready"));
    run.child.kill("SIGTERM");
    const r = await run.done;
    expect(r.code).toBe(42);
    expect(readFileSync(marker, "utf8").trim()).toBe("got-term");
    expect(await ids()).toEqual([]);
  });

  it("exits 128+N when the command dies of signal N", async () => {
    const r = await box.ns("run", "--", "sh", "-c", "kill -USR1 $$");
    expect(r.code).toBe(138);
  });

  it("SIGKILL of ns run leaves a record that ns gc removes", async () => {
    const run = box.start("run", "--mode", "private", "--", "sleep", "30");
    await until(async () => (await ids()).length === 1);
    run.child.kill("SIGKILL");
    await run.done;
    expect(await ids()).toHaveLength(1);
    const gc = await box.ns("gc", "--json");
    expect(gc.code).toBe(0);
    expect(JSON.parse(gc.stdout).removedRecords).toHaveLength(1);
    expect(await ids()).toEqual([]);
  });

  it("stops quietly when its reader goes away (ns --help | true)", () => {
    // `true` exits without reading: every write of ns after that fails with EPIPE.
    const out = execFileSync(
      "bash",
      [
        "-c",
        `"${process.execPath}" "${BIN}" --help 2>"$1" | true; echo "\${PIPESTATUS[0]}"; cat "$1"`,
        "sh",
        join(box.stateDir, "stderr"),
      ],
      { encoding: "utf8" },
    );
    expect(out).toBe("0\n");
  });
});
