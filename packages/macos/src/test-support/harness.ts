import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NamespaceRecord, NetworkBackend, ResolvedNamespace } from "@ns/core";
import {
  type InterfaceConfig,
  isNsError,
  NamespaceConfig,
  type NamespaceConfigOverrides,
  type NsError,
} from "@ns/types";
import { createMacosBackend, type MacosBackendOptions } from "../backend.ts";
import { createFakeMac, type FakeMac, type FakeMacOptions } from "./fake-mac.ts";

/** A backend on a fake Mac with its own temporary state dir. */
export interface Harness {
  mac: FakeMac;
  backend: NetworkBackend;
  dir: string;
  cleanup(): void;
}

/** Creates a harness; call cleanup() in afterEach. */
export function harness(fake: FakeMacOptions = {}, opts: MacosBackendOptions = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), "ns-macos-test-"));
  const mac = createFakeMac(fake);
  const backend = createMacosBackend({ runner: mac.runner, stateDir: join(dir, "state"), ...opts });
  return {
    mac,
    backend,
    dir: join(dir, "state"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The default private interface the manager's IPAM would hand out first. */
export const IFACE: InterfaceConfig = {
  name: "eth0",
  ipAddr: "10.200.0.2",
  prefixLen: 30,
  gateway: "10.200.0.1",
  mtu: 1500,
};

/** A resolved private namespace, as the manager would pass it. */
export function privateNs(
  overrides: NamespaceConfigOverrides = {},
  iface: InterfaceConfig = IFACE,
): ResolvedNamespace {
  return {
    config: NamespaceConfig.privateNetwork(4242, { id: "web", ...overrides }),
    interface: iface,
    createdAt: "2026-01-01T00:00:00.000Z",
  };
}

/** A resolved full namespace. */
export function fullNs(id = "box"): ResolvedNamespace {
  return { config: NamespaceConfig.fullIsolation(4242, { id }), createdAt: "2026-01-01T00:00:00.000Z" };
}

/** The record the manager would store after create. */
export function recordOf(ns: ResolvedNamespace, backendData: Record<string, unknown>): NamespaceRecord {
  return {
    info: {
      id: ns.config.id,
      mode: ns.config.mode,
      backend: "macos",
      enforced: ns.config.mode === "full",
      createdAt: ns.createdAt,
      portForwards: ns.config.portForwards,
      dnsServers: ns.config.dnsServers,
      ...(ns.interface ? { interface: ns.interface } : {}),
    },
    state: "ready",
    backendData,
    ownerPid: process.pid,
    resolved: ns,
  };
}

/** The NsError a promise rejects with (fails when it resolves or throws something else). */
export async function codeOf(p: Promise<unknown>): Promise<NsError> {
  try {
    await p;
  } catch (e) {
    if (isNsError(e)) return e;
    throw e;
  }
  throw new Error("expected a failure");
}

/** A forward used across tests. */
export const FWD = { hostPort: 8080, nsPort: 80, protocol: "tcp" as const };
