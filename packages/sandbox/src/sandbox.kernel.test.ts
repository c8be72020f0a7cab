import { execFileSync } from "node:child_process";
import { createNamespaceManager } from "@ns/core";
import { createLinuxBackend, netnsName } from "@ns/linux";
import { describeKernel } from "@ns/linux/testing";
import { afterEach, beforeEach, expect, it } from "vitest";
import { Capability } from "./capability.ts";
import { SandboxConfig } from "./sandbox-config.ts";
import { createSandboxManager, type SandboxManager } from "./sandbox-manager.ts";

// Sandboxes on the real Linux backend, inside the fake host of @ns/linux/testing.

const collect = async (s: NodeJS.ReadableStream | null) => {
  let out = "";
  for await (const chunk of s ?? []) out += String(chunk);
  return out;
};
const netnsList = () => execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
const capBnd = (status: string) => BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)$/m.exec(status)![1]}`);
const CAP_NET_RAW = 13n;

describeKernel("sandboxes on the Linux backend", (env) => {
  let sandboxes: SandboxManager;
  beforeEach(() => {
    const namespaces = createNamespaceManager({ backend: createLinuxBackend({ uplink: env.uplink }) });
    sandboxes = createSandboxManager({ namespaces, watchIntervalMs: 50 });
  });
  afterEach(async () => {
    for (const ns of await sandboxes.namespaces.list()) await sandboxes.destroySandbox(ns.id);
    await sandboxes.close();
    await sandboxes.namespaces.close();
  });

  it("runs the child in a namespace with only lo, without CAP_NET_RAW, and removes it on exit", async () => {
    const sb = await sandboxes.createSandbox(SandboxConfig.minimal());
    expect(sb.enforced).toBe(true);
    expect(sb.warnings).toEqual([]);
    const p = await sandboxes.spawn(sb, "sh", ["-c", "ls /sys/class/net; cat /proc/self/status"], {
      destroyOnExit: true,
    });
    const out = await collect(p.stdout);
    expect((await p.result).exitCode).toBe(0);
    expect(out.split("\n")[0]).toBe("lo");
    expect((capBnd(out) >> CAP_NET_RAW) & 1n).toBe(0n);
    expect(netnsList()).not.toContain(netnsName(sb.id));
  });

  it("keeps CAP_NET_RAW when the sandbox holds NetworkRaw", async () => {
    const config = SandboxConfig.minimal();
    config.capabilities.add(Capability.NetworkRaw);
    const sb = await sandboxes.createSandbox(config);
    const p = await sandboxes.spawn(sb, "cat", ["/proc/self/status"]);
    const out = await collect(p.stdout);
    await p.result;
    expect((capBnd(out) >> CAP_NET_RAW) & 1n).toBe(1n);
  });

  it("destroys the namespace of a registered pid when that process exits", async () => {
    const sleeper = execFileSync("sh", ["-c", "sleep 30 >/dev/null 2>&1 & echo $!"], { encoding: "utf8" });
    const pid = Number(sleeper.trim());
    const sb = await sandboxes.createSandbox(SandboxConfig.standard(pid));
    expect(netnsList()).toContain(netnsName(sb.id));
    process.kill(pid, "SIGKILL");
    const end = Date.now() + 5000;
    while ((await sandboxes.namespaces.exists(sb.id)) && Date.now() < end)
      await new Promise((r) => setTimeout(r, 50));
    expect(await sandboxes.namespaces.exists(sb.id)).toBe(false);
    expect(netnsList()).not.toContain(netnsName(sb.id));
  });
});
