import { spawn as nodeSpawn } from "node:child_process";
import { processStartTime } from "@ns/core";
import { describe, expect, it } from "vitest";
import type { ProcessProbe } from "./pid-watcher.ts";
import { SandboxConfig } from "./sandbox-config.ts";
import { simSandboxes, until } from "./test-support/sim.ts";

const node = process.execPath;
const collect = async (s: NodeJS.ReadableStream | null) => {
  let out = "";
  for await (const chunk of s ?? []) out += String(chunk);
  return out;
};

describe("spawn on the simulation backend", () => {
  it("returns the command's exit code", async () => {
    const sandboxes = simSandboxes();
    const sb = await sandboxes.createSandbox(SandboxConfig.minimal());
    const r = await sandboxes.run(sb, node, ["-e", "process.exit(7)"]);
    expect(r).toMatchObject({ exitCode: 7, code: 7, signal: null });
    await sandboxes.close();
  });

  it("reports a signal death as 128 + signal number", async () => {
    const sandboxes = simSandboxes();
    const sb = await sandboxes.createSandbox(SandboxConfig.minimal());
    const p = await sandboxes.spawn(sb, node, ["-e", "setTimeout(() => {}, 10000)"]);
    p.kill("SIGTERM");
    expect(await p.result).toMatchObject({ exitCode: 143, code: null, signal: "SIGTERM" });
    await sandboxes.close();
  });

  it("pipes stdin, stdout and stderr, and passes the namespace id in the environment", async () => {
    const sandboxes = simSandboxes();
    const sb = await sandboxes.createSandbox(SandboxConfig.minimal());
    const script =
      "process.stdin.on('data', d => { process.stdout.write(process.env.NS_NAMESPACE_ID + ':' + d); process.stderr.write('e'); })";
    const p = await sandboxes.spawn(sb, node, ["-e", script], { env: { EXTRA: "1" } });
    p.stdin?.end("hi");
    const [out, err] = await Promise.all([collect(p.stdout), collect(p.stderr)]);
    expect(out).toBe(`${sb.id}:hi`);
    expect(err).toBe("e");
    expect((await p.result).exitCode).toBe(0);
    await sandboxes.close();
  });

  it("says that the simulation enforces nothing", async () => {
    const sandboxes = simSandboxes();
    const sb = await sandboxes.createSandbox(SandboxConfig.minimal());
    const p = await sandboxes.spawn(sb, node, ["-e", ""], { stdio: "ignore" });
    expect(p.enforced).toBe(false);
    expect(p.warnings.join()).toMatch(/simulation backend does not isolate/);
    await p.result;
    await sandboxes.close();
  });

  it("forwards SIGTERM received by this process to the child", async () => {
    const sandboxes = simSandboxes();
    const sb = await sandboxes.createSandbox(SandboxConfig.minimal());
    const script =
      "process.on('SIGTERM', () => process.exit(42)); console.log('ready'); setInterval(() => {}, 1000)";
    const p = await sandboxes.spawn(sb, node, ["-e", script], { forwardSignals: true });
    await new Promise((r) => p.stdout?.once("data", r));
    process.emit("SIGTERM", "SIGTERM");
    expect((await p.result).exitCode).toBe(42);
    expect(process.listenerCount("SIGTERM")).toBe(0);
    await sandboxes.close();
  });

  it("rejects with ERR_NS_COMMAND_FAILED when the command does not exist", async () => {
    const sandboxes = simSandboxes();
    const sb = await sandboxes.createSandbox(SandboxConfig.minimal());
    await expect(sandboxes.spawn(sb, "/nonexistent/cmd")).rejects.toMatchObject({
      code: "ERR_NS_COMMAND_FAILED",
    });
    await sandboxes.close();
  });
});

describe("automatic cleanup", () => {
  it("destroys the sandbox when its process exits with destroyOnExit", async () => {
    const sandboxes = simSandboxes();
    const sb = await sandboxes.createSandbox(SandboxConfig.minimal());
    const r = await sandboxes.run(sb, node, ["-e", ""], { destroyOnExit: true });
    expect(r.exitCode).toBe(0);
    expect(await sandboxes.namespaces.exists(sb.id)).toBe(false);
    await sandboxes.close();
  });

  it("waits for the last running process of the sandbox before destroying it", async () => {
    const sandboxes = simSandboxes();
    const sb = await sandboxes.createSandbox(SandboxConfig.minimal());
    const long = await sandboxes.spawn(sb, node, ["-e", "setTimeout(() => {}, 300)"], {
      destroyOnExit: true,
    });
    await sandboxes.run(sb, node, ["-e", ""], { destroyOnExit: true });
    expect(await sandboxes.namespaces.exists(sb.id)).toBe(true);
    await long.result;
    expect(await sandboxes.namespaces.exists(sb.id)).toBe(false);
    await sandboxes.close();
  });

  it("keeps the sandbox without destroyOnExit, and destroySandbox kills what still runs in it", async () => {
    const sandboxes = simSandboxes();
    const sb = await sandboxes.createSandbox(SandboxConfig.minimal());
    await sandboxes.run(sb, node, ["-e", ""]);
    expect(await sandboxes.namespaces.exists(sb.id)).toBe(true);
    const p = await sandboxes.spawn(sb, node, ["-e", "setTimeout(() => {}, 10000)"]);
    await sandboxes.destroySandbox(sb);
    expect((await p.result).signal).toBe("SIGKILL");
    expect(await sandboxes.namespaces.exists(sb.id)).toBe(false);
    await sandboxes.destroySandbox(sb); // idempotent
    await sandboxes.close();
  });

  it("destroys the sandbox of a registered pid when that process exits", async () => {
    const sandboxes = simSandboxes({ watchIntervalMs: 20 });
    const owner = nodeSpawn(node, ["-e", "setTimeout(() => {}, 10000)"], { stdio: "ignore" });
    const sb = await sandboxes.createSandbox(SandboxConfig.minimal(owner.pid));
    expect((await sandboxes.namespaces.getByPid(owner.pid!)).id).toBe(sb.id);
    await new Promise((r) => setTimeout(r, 60));
    expect(await sandboxes.namespaces.exists(sb.id)).toBe(true);
    owner.kill("SIGKILL");
    await until(async () => !(await sandboxes.namespaces.exists(sb.id)));
    await sandboxes.close();
  });

  it("a reused pid destroys only the namespace of the process that exited", async () => {
    const owner = nodeSpawn(node, ["-e", "setTimeout(() => {}, 10000)"], { stdio: "ignore" });
    const pid = owner.pid!;
    const realStart = processStartTime(pid);
    let current = realStart; // the start time /proc would show for `pid`
    const probe: ProcessProbe = {
      startTime: () => current,
      alive: (_p, start) => start === undefined || start === current,
    };
    const sandboxes = simSandboxes({ watchIntervalMs: 20, probe });
    const old = await sandboxes.createSandbox(SandboxConfig.minimal(pid));
    current = "reused"; // the owner exited and a new process got its pid
    const fresh = await sandboxes.createSandbox(SandboxConfig.minimal());
    sandboxes.watchPid(fresh, pid);
    await until(async () => !(await sandboxes.namespaces.exists(old.id)));
    await new Promise((r) => setTimeout(r, 100));
    expect(await sandboxes.namespaces.exists(fresh.id)).toBe(true);
    owner.kill("SIGKILL");
    await sandboxes.close();
  });
});

describe("open", () => {
  it("wraps an existing namespace so processes can be spawned in it", async () => {
    const sandboxes = simSandboxes();
    const made = await sandboxes.createSandbox(SandboxConfig.standard());
    const sb = await sandboxes.open(made.id);
    expect(sb.namespace.mode).toBe("private");
    expect((await sandboxes.run(sb, node, ["-e", "process.exit(3)"])).exitCode).toBe(3);
    await expect(sandboxes.open("missing")).rejects.toMatchObject({ code: "ERR_NS_NOT_FOUND" });
    await sandboxes.close();
  });
});
