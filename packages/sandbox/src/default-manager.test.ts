import { describe, expect, it } from "vitest";
import { createSandbox, defaultSandboxManager, destroySandbox, spawn } from "./default-manager.ts";
import { SandboxConfig } from "./sandbox-config.ts";

describe("module-level functions", () => {
  it("createSandbox, spawn and destroySandbox work on one default manager", async () => {
    // Never the real backend from a unit test: NS_BACKEND is read when the default manager loads its backend.
    process.env.NS_BACKEND = "simulation";
    const sb = await createSandbox(SandboxConfig.minimal());
    const p = await spawn(sb, process.execPath, ["-e", "process.exit(4)"]);
    expect((await p.result).exitCode).toBe(4);
    await destroySandbox(sb);
    expect(await defaultSandboxManager().namespaces.exists(sb.id)).toBe(false);
    expect((await defaultSandboxManager().namespaces.backendInfo()).name).toBe("simulation");
  });
});
