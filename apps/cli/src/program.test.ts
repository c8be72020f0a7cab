import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cliSandbox } from "./test-support/cli.ts";

let box: ReturnType<typeof cliSandbox>;
afterEach(() => box?.cleanup());
const setup = () => {
  box = cliSandbox();
  return box.ns;
};

const COMMANDS = ["run", "create", "list", "info", "stats", "exec", "destroy", "gc", "doctor", "completion"];

describe("help", () => {
  it.each(COMMANDS)("`ns %s --help` shows usage and examples and exits 0", async (name) => {
    const ns = setup();
    const r = await ns(name, "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: ns ${name}`);
    expect(r.stdout).toContain("Examples:");
  });
  it("`ns --help` lists every command and the exit codes", async () => {
    const r = await setup()("--help");
    for (const name of COMMANDS) expect(r.stdout).toContain(name);
    expect(r.stdout).toContain("Exit codes: 0 ok, 1 operation failed, 2 invalid usage");
  });
  it("`ns` without arguments prints help to stderr and exits 2", async () => {
    const r = await setup()();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Usage: ns");
  });
});

describe("usage errors exit 2 with error and hint lines", () => {
  it.each([
    [["frobnicate"], /error: unknown command 'frobnicate'/],
    [["list", "--colour"], /error: unknown option '--colour'/],
    [["info"], /error: missing required argument 'id'/],
    [["run", "--mode", "full"], /error: missing required argument 'command'/],
    [["destroy"], /error: give at least one namespace id, or --all/],
    [["destroy", "a", "--all"], /error: give namespace ids or --all, not both/],
    [
      ["list", "--backend", "vmware"],
      /error: invalid --backend "vmware": accepted are auto, linux, macos, simulation/,
    ],
    [["create", "--mode", "open"], /error: invalid --mode "open"/],
    [["stats", "x", "--interval", "10"], /error: invalid --interval "10"/],
    [["completion", "tcsh"], /error: invalid shell "tcsh": accepted are bash, zsh, fish/],
    [["create", "--pid", "4194303"], /error: invalid --pid "4194303": no such process/],
  ])("ns %j", async (argv, re) => {
    const r = await setup()(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(r.stderr).toMatch(/^hint: /m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("creates nothing, not even the state database, for invalid options", async () => {
    const ns = setup();
    const r = await ns("create", "--mode", "private", "--forward", "99999:80");
    expect(r.code).toBe(2);
    expect(existsSync(join(box.stateDir, "state.db"))).toBe(false);
  });

  it("prints a JSON error document on stdout with --json", async () => {
    const r = await setup()("create", "--mode", "full", "--forward", "80:80", "--json");
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({ error: { code: "ERR_NS_INVALID_CONFIG" } });
  });
});

describe("operation failures exit 1", () => {
  it("an unknown id exits 1 with a hint", async () => {
    const r = await setup()("info", "nope");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: namespace nope not found\nhint: `ns list` shows the namespaces that exist\n",
    );
  });
  it("a duplicate name exits 1", async () => {
    const ns = setup();
    expect((await ns("create", "--name", "a")).code).toBe(0);
    const r = await ns("create", "--name", "a");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: namespace a already exists/);
  });
  it("--debug adds the stack", async () => {
    const r = await setup()("info", "nope", "--debug");
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe("JSON shapes", () => {
  it("create, list, info, stats, destroy and gc print documented documents", async () => {
    const ns = setup();
    const created = (
      await ns(
        "create",
        "--name",
        "web",
        "--mode",
        "private",
        "--forward",
        "8080:80",
        "--dns",
        "9.9.9.9",
        "--json",
      )
    ).json();
    expect(created).toMatchObject({
      id: "web",
      mode: "private",
      backend: "simulation",
      enforced: false,
      portForwards: [{ hostPort: 8080, nsPort: 80, protocol: "tcp" }],
      dnsServers: ["9.9.9.9"],
      interface: { name: "eth0", prefixLen: expect.any(Number), gateway: expect.any(String) },
    });
    expect(typeof created.createdAt).toBe("string");
    const list = (await ns("list", "--json")).json<{ namespaces: unknown[] }>();
    expect(list).toEqual({ namespaces: [created] });
    expect((await ns("info", "web", "--json")).json()).toEqual(created);
    const stats = (await ns("stats", "web", "--json")).json();
    expect(stats).toMatchObject({ id: "web", rxBytes: 0, txBytes: 0, interfaces: expect.any(Array) });
    const watch = await ns("stats", "web", "--watch", "--json", "--interval", "50", "--count", "2");
    expect(
      watch.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).id),
    ).toEqual(["web", "web"]);
    expect((await ns("destroy", "web", "missing", "--json")).json()).toEqual({
      destroyed: ["web"],
      failed: [{ id: "missing", error: expect.objectContaining({ code: "ERR_NS_NOT_FOUND" }) }],
    });
    expect((await ns("gc", "--json")).json()).toEqual({
      removedRecords: [],
      removedObjects: [],
      reasons: {},
      errors: [],
    });
  });

  it("doctor reports the backend and why", async () => {
    const r = await setup()("doctor", "--json");
    const doc = r.json<{ backend: { name: string; reason: string }; checks: unknown[]; ok: boolean }>();
    expect(doc.backend.name).toBe("simulation");
    expect(doc.backend.reason).toContain("NS_BACKEND");
    expect(doc.checks.length).toBeGreaterThan(0);
    // The fix names what forced the simulation, not the host's tools.
    const backendCheck = (doc.checks as { name: string; fix?: string }[]).find((c) => c.name === "backend");
    expect(backendCheck?.fix).toMatch(/unset NS_BACKEND/);
    expect(r.code).toBe(doc.ok ? 0 : 1);
  });
});

describe("create --pid", () => {
  it("binds the namespace to a running process", async () => {
    const ns = setup();
    const info = (await ns("create", "--pid", String(process.pid), "--json")).json();
    expect(info.pid).toBe(process.pid);
  });
});

describe("human output", () => {
  it("list prints an aligned table and -q only ids", async () => {
    const ns = setup();
    await ns("create", "--name", "a", "--mode", "full");
    await ns("create", "--name", "bb", "--mode", "private");
    const lines = (await ns("list")).stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+MODE\s+BACKEND\s+ENFORCED\s+PID\s+ADDRESS\s+FORWARDS\s+CREATED$/);
    expect(lines[1]!.indexOf("full")).toBe(lines[2]!.indexOf("private"));
    expect((await ns("list", "-q")).stdout).toBe("a\nbb\n");
    expect((await ns("destroy", "--all")).stdout).toBe("destroyed a\ndestroyed bb\n");
  });
});

describe("run", () => {
  it("exits with the command's code and removes the namespace", async () => {
    const ns = setup();
    const r = await ns("run", "--mode", "full", "--", process.execPath, "-e", "process.exit(5)");
    expect(r.code).toBe(5);
    expect((await ns("list", "-q")).stdout).toBe("");
  });
  it("exits 128+N when the command is killed by signal N", async () => {
    const r = await setup()("run", "--", process.execPath, "-e", "process.kill(process.pid, 'SIGKILL')");
    expect(r.code).toBe(137);
  });
  it("exits 127 when the command does not exist, and still cleans up", async () => {
    const ns = setup();
    const r = await ns("run", "--", "/nonexistent/binary");
    expect(r.code).toBe(127);
    expect((await ns("list", "-q")).stdout).toBe("");
  });
});

describe("exec", () => {
  it("runs a command in an existing namespace, which stays", async () => {
    const ns = setup();
    await ns("create", "--name", "box");
    const r = await ns("exec", "box", "--", process.execPath, "-e", "process.exit(3)");
    expect(r.code).toBe(3);
    expect((await ns("list", "-q")).stdout).toBe("box\n");
    expect((await ns("exec", "box", "--")).code).toBe(2);
    expect((await ns("exec", "nope", "--", "true")).code).toBe(1);
  });
});

describe("completion", () => {
  it.each(["bash", "zsh", "fish"])("%s script names every command and the mode choices", async (shell) => {
    const r = await setup()("completion", shell);
    expect(r.code).toBe(0);
    for (const name of COMMANDS) expect(r.stdout).toContain(name);
    expect(r.stdout).toContain("full private shared bridged");
    expect(r.stdout).toContain("ns list -q");
  });
});
