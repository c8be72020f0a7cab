import { describe, expect, it } from "vitest";
import { interfaceConfig, NamespaceConfig } from "./config.ts";
import { isNsError } from "./errors.ts";
import { parseConfig, validateConfig } from "./validate.ts";

const issuesOf = (input: unknown) => {
  const r = validateConfig(input);
  return r.ok ? [] : r.issues;
};
const fieldsOf = (input: unknown) => issuesOf(input).map((i) => i.field);
const base = { id: "t1", portForwards: [], dnsServers: [] };
const iface4 = interfaceConfig("10.9.0.2", 24, { gateway: "10.9.0.1" });

describe("validateConfig: shape", () => {
  it.each([null, undefined, 42, "config", [], true])("rejects the non-object %j at the root", (input) => {
    expect(validateConfig(input)).toEqual({
      ok: false,
      issues: [{ field: "(root)", message: "must be an object" }],
    });
  });

  it("accepts a minimal config and defaults the lists to empty", () => {
    expect(validateConfig({ id: "a", mode: "full" })).toEqual({
      ok: true,
      config: { id: "a", mode: "full", portForwards: [], dnsServers: [] },
    });
  });

  it("says which required fields are missing", () => {
    expect(issuesOf({})).toEqual([
      { field: "id", message: "is required" },
      { field: "mode", message: "must be full, private, shared or bridged" },
    ]);
  });

  it("names the expected type of a mistyped field", () => {
    const issues = issuesOf({ id: 5, mode: "private", portForwards: {}, interface: [], pid: "1", labels: 3 });
    expect(issues).toEqual(
      expect.arrayContaining([
        { field: "id", message: "must be a string" },
        { field: "portForwards", message: "must be an array" },
        { field: "interface", message: "must be an object" },
        { field: "pid", message: "must be a number" },
        { field: "labels", message: "must be an object" },
      ]),
    );
  });

  it("names each unknown field by its own path", () => {
    const input = {
      ...base,
      mode: "private",
      colour: "blue",
      interface: { ...iface4, speed: 10 },
      portForwards: [{ hostPort: 1, nsPort: 1, protocol: "tcp", proto: "x" }],
    };
    expect(fieldsOf(input).sort()).toEqual(["colour", "interface.speed", "portForwards.0.proto"]);
  });

  it("treats a __proto__ key from JSON as an unknown field, not a prototype", () => {
    const input = JSON.parse('{"id":"a","mode":"full","__proto__":{"polluted":true}}');
    expect(issuesOf(input)).toEqual([{ field: "__proto__", message: "unknown field" }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("reports every problem at once, schema and cross-field alike", () => {
    const input = {
      id: "BAD ID",
      pid: 0,
      mode: "private",
      bridge: "b0",
      interface: {
        name: "way-too-long-name0",
        ipAddr: "10.0.0.2",
        prefixLen: 24,
        mtu: 10,
        gateway: "10.0.1.1",
      },
      portForwards: [
        { hostPort: 0, nsPort: 80, protocol: "tcp" },
        { hostPort: 443, nsPort: 65536, protocol: "sctp" },
      ],
      dnsServers: ["1.1.1.1", "dns.example"],
    };
    expect(fieldsOf(input).sort()).toEqual(
      [
        "id",
        "pid",
        "bridge",
        "interface.name",
        "interface.mtu",
        "interface.gateway",
        "portForwards.0.hostPort",
        "portForwards.1.nsPort",
        "portForwards.1.protocol",
        "dnsServers.1",
      ].sort(),
    );
  });

  it("returns a copy without explicit undefined fields", () => {
    const input = { ...base, mode: "private", pid: undefined, interface: { ...iface4, gateway: "10.9.0.1" } };
    const r = validateConfig(input);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect("pid" in r.config).toBe(false);
    expect(r.config).not.toBe(input);
    expect(r.config.interface).not.toBe(input.interface);
  });

  it("does not change its input", () => {
    const input = { id: "x", mode: "bridged", interface: { ...iface4 }, portForwards: [{ hostPort: 0 }] };
    const before = structuredClone(input);
    validateConfig(input);
    expect(input).toStrictEqual(before);
  });
});

describe("validateConfig: scalar fields", () => {
  it.each(["", "Upper", "-lead", "has space", "a/b", "x".repeat(49), "é"])("rejects the id %j", (id) => {
    expect(fieldsOf({ ...base, id, mode: "full" })).toEqual(["id"]);
  });

  it.each(["a", "0", "web-1_x", "x".repeat(48)])("accepts the id %j", (id) => {
    expect(validateConfig({ ...base, id, mode: "full" }).ok).toBe(true);
  });

  it.each([0, -1, 1.5, 4_194_304, Number.NaN, Number.POSITIVE_INFINITY])("rejects the pid %s", (pid) => {
    expect(fieldsOf({ ...base, pid, mode: "full" })).toEqual(["pid"]);
  });

  it("accepts pids from 1 to the kernel's limit", () => {
    expect(validateConfig({ ...base, pid: 1, mode: "full" }).ok).toBe(true);
    expect(validateConfig({ ...base, pid: 4_194_303, mode: "full" }).ok).toBe(true);
  });

  it.each(["", "Full", "none", 1])("rejects the mode %j", (mode) => {
    expect(fieldsOf({ ...base, mode })).toEqual(["mode"]);
  });

  it.each(["", "-b", "a b", "x".repeat(33), "br/0"])("rejects the bridge name %j", (bridge) => {
    expect(fieldsOf({ ...base, mode: "bridged", bridge })).toEqual(["bridge"]);
  });

  it("rejects bad label keys and values, naming the label", () => {
    const labels = { ok: "fine", _hidden: "x", "team.io/owner": "y", big: "v".repeat(257) };
    expect(fieldsOf({ ...base, mode: "full", labels })).toEqual(["labels._hidden", "labels.big"]);
  });

  it("rejects more than three DNS servers and more than 256 forwards", () => {
    const dnsServers = ["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4"];
    expect(fieldsOf({ ...base, mode: "private", dnsServers })).toEqual(["dnsServers"]);
    const portForwards = Array.from({ length: 257 }, (_, i) => ({
      hostPort: i + 1,
      nsPort: 80,
      protocol: "tcp",
    }));
    expect(fieldsOf({ ...base, mode: "private", portForwards })).toEqual(["portForwards"]);
  });
});

describe("parseConfig", () => {
  it("returns the validated config", () => {
    const c = NamespaceConfig.privateNetwork(3, { interface: iface4 });
    expect(parseConfig(c)).toEqual(c);
  });

  it("throws ERR_NS_INVALID_CONFIG with every issue", () => {
    const bad = {
      ...NamespaceConfig.fullIsolation(1),
      portForwards: [{ hostPort: 0, nsPort: 70000, protocol: "sctp" }],
    };
    let caught: unknown;
    try {
      parseConfig(bad);
    } catch (e) {
      caught = e;
    }
    expect(isNsError(caught, "ERR_NS_INVALID_CONFIG")).toBe(true);
    const fields = (caught as { issues: { field: string }[] }).issues.map((i) => i.field);
    expect(fields.sort()).toEqual(
      ["portForwards", "portForwards.0.hostPort", "portForwards.0.nsPort", "portForwards.0.protocol"].sort(),
    );
  });
});
