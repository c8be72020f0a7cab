import { NamespaceConfig } from "@ns/types";
import { describe, expect, it } from "vitest";
import { Capability, missingCapabilities, requiredCapabilities } from "./capability.ts";
import { SandboxConfig } from "./sandbox-config.ts";
import { simSandboxes } from "./test-support/sim.ts";

const denied = async (config: SandboxConfig) => {
  const sandboxes = simSandboxes();
  const err = await sandboxes.createSandbox(config).catch((e: unknown) => e);
  const left = await sandboxes.namespaces.list();
  await sandboxes.close();
  return {
    err: err as { code: string; message: string; hint: string; details: { missing: string[] } },
    left,
  };
};

describe("presets", () => {
  it("minimal is full isolation with only NetworkNamespace", () => {
    const c = SandboxConfig.minimal(42);
    expect(c.network.mode).toBe("full");
    expect(c.pid).toBe(42);
    expect(c.network.pid).toBe(42);
    expect([...c.capabilities]).toEqual([Capability.NetworkNamespace]);
  });
  it("standard is a private network with outbound but no inbound", () => {
    const c = SandboxConfig.standard();
    expect(c.network.mode).toBe("private");
    expect(c.capabilities.has(Capability.NetworkOutbound)).toBe(true);
    expect(c.capabilities.has(Capability.NetworkInbound)).toBe(false);
  });
  it("privileged has every network capability but NetworkNamespace, which is granted with add", () => {
    const c = SandboxConfig.privileged(7);
    expect(c.capabilities.has(Capability.NetworkNamespace)).toBe(false);
    for (const cap of [Capability.NetworkInbound, Capability.NetworkHost, Capability.NetworkRaw])
      expect(c.capabilities.has(cap)).toBe(true);
    c.capabilities.add(Capability.NetworkNamespace);
    expect(missingCapabilities(c.capabilities, c.network)).toEqual([]);
  });
});

describe("capability checks", () => {
  it("every mode needs NetworkNamespace; private adds outbound, forwards add inbound", () => {
    const caps = (c: NamespaceConfig) => requiredCapabilities(c).map((r) => r.capability);
    expect(caps(NamespaceConfig.fullIsolation())).toEqual([Capability.NetworkNamespace]);
    expect(caps(NamespaceConfig.shared())).toEqual([Capability.NetworkNamespace, Capability.NetworkHost]);
    expect(caps(NamespaceConfig.bridged(undefined, "br"))).toEqual([
      Capability.NetworkNamespace,
      Capability.NetworkBridge,
    ]);
    const fwd = NamespaceConfig.privateNetwork(undefined, {
      portForwards: [{ hostPort: 8080, nsPort: 80, protocol: "tcp" }],
    });
    expect(caps(fwd)).toEqual([
      Capability.NetworkNamespace,
      Capability.NetworkOutbound,
      Capability.NetworkInbound,
    ]);
  });

  it("refuses the privileged preset until NetworkNamespace is granted, and creates nothing", async () => {
    const { err, left } = await denied(SandboxConfig.privileged(undefined));
    expect(err.code).toBe("ERR_NS_CAPABILITY_DENIED");
    expect(err.message).toContain("Capability.NetworkNamespace");
    expect(err.hint).toContain("config.capabilities.add(Capability.NetworkNamespace)");
    expect(left).toEqual([]);
  });

  it("refuses shared mode without NetworkHost", async () => {
    const c = SandboxConfig.custom(NamespaceConfig.shared(), [Capability.NetworkNamespace]);
    const { err } = await denied(c);
    expect(err.code).toBe("ERR_NS_CAPABILITY_DENIED");
    expect(err.details.missing).toEqual([Capability.NetworkHost]);
  });

  it("refuses port forwards without NetworkInbound", async () => {
    const c = SandboxConfig.standard(undefined, {
      portForwards: [{ hostPort: 18080, nsPort: 80, protocol: "tcp" }],
    });
    const { err, left } = await denied(c);
    expect(err.details.missing).toEqual([Capability.NetworkInbound]);
    expect(err.hint).toContain("Capability.NetworkInbound");
    expect(left).toEqual([]);
  });

  it("refuses capabilities that are not a Set", async () => {
    const c = { ...SandboxConfig.minimal(), capabilities: [Capability.NetworkNamespace] };
    const { err } = await denied(c as never);
    expect(err.code).toBe("ERR_NS_INVALID_CONFIG");
  });

  it("creates a sandbox once the capability is granted", async () => {
    const sandboxes = simSandboxes();
    const c = SandboxConfig.privileged(undefined);
    c.capabilities.add(Capability.NetworkNamespace);
    const sb = await sandboxes.createSandbox(c);
    expect(sb.namespace.mode).toBe("private");
    expect(sb.enforced).toBe(false);
    expect(sb.warnings[0]).toMatch(/does not isolate/);
    await sandboxes.destroySandbox(sb);
    expect(await sandboxes.namespaces.list()).toEqual([]);
    await sandboxes.close();
  });
});
