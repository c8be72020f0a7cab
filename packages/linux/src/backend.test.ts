import { createRecordingRunner, type NamespaceRecord, type ResolvedNamespace } from "@ns/core";
import { interfaceConfig, isNsError, NamespaceConfig, TeardownError } from "@ns/types";
import { describe, expect, it } from "vitest";
import { createLinuxBackend } from "./backend.ts";
import { foreignForwardDrops } from "./doctor.ts";
import { createMemoryFileOps } from "./fs.ts";
import type { HostLock } from "./host-lock.ts";
import { listMarkers } from "./markers.ts";
import { bridgeLockKey, bridgeName, vethName } from "./names.ts";

const STATE = "/state";
const procNetDev = (links: string[]) =>
  `Inter-| hdr\n face | hdr\n${links.map((l) => `  ${l}: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0`).join("\n")}\n`;

function setup(
  options: {
    fail?: (cmd: string, input: string | undefined, links: Set<string>) => boolean;
    hostLock?: HostLock;
    onCall?: (line: string) => void;
  } = {},
) {
  const links = new Set(["lo", "uplink0"]);
  const files = createMemoryFileOps({
    "/proc/sys/net/ipv4/ip_forward": "0",
    "/etc/resolv.conf": "nameserver 127.0.0.53\n",
    "/run/systemd/resolve/resolv.conf": "nameserver 192.0.2.1\nsearch example.test\n",
  });
  files.read = (
    (orig) => (p: string) =>
      p === "/proc/net/dev" ? procNetDev([...links]) : orig(p)
  )(files.read);
  const CONF = "/proc/sys/net/ipv4/conf/";
  files.exists = (
    (orig) => (p: string) =>
      p.startsWith(CONF) ? links.has(p.slice(CONF.length)) : orig(p)
  )(files.exists);
  const runner = createRecordingRunner((call) => {
    const line = [call.command, ...call.args].join(" ");
    options.onCall?.(line);
    if (options.fail?.(line, call.input, links)) {
      const exists = /type bridge/.test(call.input ?? "");
      return {
        exitCode: 1,
        stderr: `RTNETLINK answers: ${exists ? "File exists" : "Operation not permitted"}`,
      };
    }
    if (line.includes("link show dev uplink0")) return { stdout: '[{"ifname":"uplink0","mtu":1400}]' };
    if (line.startsWith("ip -batch -") || line.startsWith("ip -force -batch -")) {
      for (const l of (call.input ?? "").split("\n")) {
        const add = /^link add (\S+) /.exec(l);
        if (add) links.add(add[1]!);
        const del = /^link del (\S+)/.exec(l);
        if (del) links.delete(del[1]!);
        const ns = /^netns (add|del) (\S+)/.exec(l);
        if (ns?.[1] === "add") files.write(`/run/netns/${ns[2]}`, "");
        if (ns?.[1] === "del") files.remove(`/run/netns/${ns[2]}`);
      }
    }
    return undefined;
  });
  const backend = createLinuxBackend({
    runner,
    files,
    stateDir: STATE,
    hostNetns: "42",
    uplink: "uplink0",
    ...(options.hostLock ? { hostLock: options.hostLock } : {}),
  });
  return { backend, runner, files, links };
}

function resolved(
  config: NamespaceConfig,
  iface = interfaceConfig("10.200.0.2", 30, { gateway: "10.200.0.1" }),
) {
  const r: ResolvedNamespace = { config, createdAt: "2026-01-01T00:00:00.000Z" };
  if (config.mode !== "full" && config.mode !== "shared") r.interface = iface;
  return r;
}

function record(ns: ResolvedNamespace, data: Record<string, unknown>): NamespaceRecord {
  const info = {
    id: ns.config.id,
    mode: ns.config.mode,
    backend: "linux" as const,
    enforced: true,
    createdAt: ns.createdAt,
    portForwards: ns.config.portForwards,
    dnsServers: ns.config.dnsServers,
    ...(ns.interface ? { interface: ns.interface } : {}),
  };
  return { info, state: "ready", backendData: data, ownerPid: process.pid, resolved: ns };
}

describe("linux backend with a recording runner", () => {
  it("creates a private namespace in four round trips and inherits the uplink MTU", async () => {
    const { backend, runner, files } = setup();
    const config = NamespaceConfig.privateNetwork(undefined, {
      id: "ns-a",
      portForwards: [{ hostPort: 5353, nsPort: 53, protocol: "udp" }],
    });
    const r = await backend.create(resolved(config));
    expect(r).toMatchObject({ uplink: "uplink0", mtu: 1400, handle: "/run/netns/nsx-ns-a" });
    expect(runner.calls.map((c) => [c.command, ...c.args].join(" "))).toEqual([
      "ip -j link show dev uplink0",
      "ip -batch -",
      "nsenter --net=/run/netns/nsx-ns-a -- ip -batch -",
      "nft -f -",
      "conntrack -D -p udp --orig-port-dst 5353",
    ]);
    expect(files.read("/proc/sys/net/ipv4/ip_forward")).toBe("1");
    expect(files.read(`/proc/sys/net/ipv4/conf/${vethName("ns-a")}/route_localnet`)).toBe("1");
    expect(files.read("/etc/netns/nsx-ns-a/resolv.conf")).toContain("nameserver 192.0.2.1");
    expect(files.read("/etc/netns/nsx-ns-a/resolv.conf")).not.toContain("127.0.0.53");
    expect(listMarkers(files, STATE, "42").map((m) => m.id)).toEqual(["ns-a"]);
  });

  it("destroys in two phases: blackhole and netns first, rules and the rest once settled", async () => {
    const { backend, runner, files } = setup();
    const a = resolved(NamespaceConfig.privateNetwork(undefined, { id: "ns-a" }));
    const b = resolved(
      NamespaceConfig.privateNetwork(undefined, { id: "ns-b" }),
      interfaceConfig("10.200.0.6", 30, { gateway: "10.200.0.5" }),
    );
    const data = (await backend.create(a)).data;
    await backend.create(b);
    runner.reset();
    const { settled } = await backend.beginDestroy!(record(a, data));
    const line = (c: (typeof runner.calls)[number]) =>
      `${[c.command, ...c.args].join(" ")}${c.input ? ` <${c.input.trim()}>` : ""}`;
    // The first phase is one round trip and no nft transaction (each would wait for a kernel grace period).
    expect(line(runner.calls[0]!)).toBe(
      "ip -batch - <route replace blackhole 10.200.0.2/32\nnetns del nsx-ns-a>",
    );
    await settled;
    const rest = runner.calls.slice(1).map(line);
    expect(rest[0]).toMatch(/^nft -f - <[\s\S]*delete element inet nsx priv_ifs/);
    expect(rest.at(-1)).toBe("ip -force -batch - <route del blackhole 10.200.0.2/32>");
    expect(listMarkers(files, STATE, "42").map((m) => m.id)).toEqual(["ns-b"]);
    expect(await backend.exists(record(a, data))).toBe(false);
  });

  it("restores ip_forward and removes its table, files and marker when the last private namespace goes", async () => {
    const { backend, runner, files } = setup();
    const ns = resolved(NamespaceConfig.privateNetwork(undefined, { id: "ns-a" }));
    const data = (await backend.create(ns)).data;
    runner.reset();
    await backend.destroy(record(ns, data));
    const cmds = runner.calls.map((c) => [c.command, ...c.args].join(" "));
    // The last namespace using the table removes it whole, in one transaction, before the links.
    expect(cmds).toEqual(["nft -f -", "ip -force -batch -"]);
    expect(runner.calls[0]!.input).toBe("add table inet nsx\ndelete table inet nsx\n");
    expect(files.read("/proc/sys/net/ipv4/ip_forward")).toBe("0");
    expect(files.exists("/etc/netns/nsx-ns-a")).toBe(false);
    expect(listMarkers(files, STATE)).toEqual([]);
    // Idempotent: a second destroy finds nothing to remove in the kernel.
    await backend.destroy(record(ns, data));
  });

  it("rolls back what it made when a step fails, and reports the original error", async () => {
    const { backend, links, files } = setup({ fail: (cmd) => cmd.startsWith("nsenter") });
    const ns = resolved(NamespaceConfig.privateNetwork(undefined, { id: "ns-a" }));
    await expect(backend.create(ns)).rejects.toSatisfy((e) => isNsError(e, "ERR_NS_PERMISSION"));
    expect([...links]).toEqual(["lo", "uplink0"]);
    expect(files.exists("/run/netns/nsx-ns-a")).toBe(false);
    expect(listMarkers(files, STATE)).toEqual([]);
  });

  it("stops at an aborted signal, removes what it made and says so", async () => {
    const { backend, links, files } = setup();
    const ac = new AbortController();
    ac.abort();
    const ns = resolved(NamespaceConfig.privateNetwork(undefined, { id: "ns-a" }));
    await expect(backend.create(ns, ac.signal)).rejects.toSatisfy((e) => isNsError(e, "ERR_NS_ABORTED"));
    expect([...links]).toEqual(["lo", "uplink0"]);
    expect(files.exists("/run/netns/nsx-ns-a")).toBe(false);
  });

  it("keeps going past a failed teardown step and reports every failure", async () => {
    let failNft = false;
    const { backend, files } = setup({ fail: (cmd) => failNft && cmd.startsWith("nft") });
    const ns = resolved(NamespaceConfig.privateNetwork(undefined, { id: "ns-a" }));
    const data = (await backend.create(ns)).data;
    failNft = true;
    const err = await backend.destroy(record(ns, data)).catch((e) => e);
    expect(err).toBeInstanceOf(TeardownError);
    expect((err as TeardownError).failures).toHaveLength(1);
    expect(await backend.exists(record(ns, data))).toBe(false);
    expect(listMarkers(files, STATE).map((m) => m.id)).toEqual(["ns-a"]);
  });

  it("creates a bridge with its first member and removes it with the last", async () => {
    const { backend, runner } = setup();
    const a = resolved(
      NamespaceConfig.bridged(undefined, "web", { id: "ns-a" }),
      interfaceConfig("10.201.0.1", 24),
    );
    const b = resolved(
      NamespaceConfig.bridged(undefined, "web", { id: "ns-b" }),
      interfaceConfig("10.201.0.2", 24),
    );
    const da = (await backend.create(a)).data;
    const db = (await backend.create(b)).data;
    const batches = runner.calls
      .filter((c) => c.args[0] === "-batch" && c.command === "ip")
      .map((c) => c.input!);
    expect(batches[0]).toContain("type bridge");
    expect(batches[1]).not.toContain("type bridge");
    runner.reset();
    await backend.destroy(record(a, da));
    expect(runner.calls.find((c) => c.args.includes("-force"))!.input).not.toContain("nsb");
    await backend.destroy(record(b, db));
    expect(runner.calls.filter((c) => c.args.includes("-force"))[1]!.input).toMatch(/link del nsb/);
  });

  it("enters full namespaces with nsenter and others with their resolv.conf mounted; shared as is", async () => {
    const { backend } = setup();
    const full = resolved(NamespaceConfig.fullIsolation(undefined, { id: "ns-f" }));
    const priv = resolved(NamespaceConfig.privateNetwork(undefined, { id: "ns-p" }));
    const shared = resolved(NamespaceConfig.shared(undefined, { id: "ns-s" }));
    expect(backend.enter(record(full, {})).prefix.slice(0, 2)).toEqual([
      "nsenter",
      "--net=/run/netns/nsx-ns-f",
    ]);
    expect(backend.enter(record(full, {})).prefix.join(" ")).not.toContain("resolv.conf");
    expect(backend.enter(record(priv, {})).prefix.join(" ")).toContain("/etc/netns/nsx-ns-p/resolv.conf");
    expect(backend.enter(record(shared, {}))).toMatchObject({ prefix: [], enforced: true });
    expect(await backend.create(shared)).toEqual({ data: { shared: true } });
  });
});

describe("linux backend and the host lock", () => {
  function recordingLock() {
    const held: string[] = [];
    const events: string[] = [];
    const lock: HostLock = {
      kind: "test",
      async run(key, fn) {
        events.push(`+${key}`);
        held.push(key);
        try {
          return await fn();
        } finally {
          held.splice(held.indexOf(key), 1);
          events.push(`-${key}`);
        }
      },
    };
    return { lock, held, events };
  }

  it("changes the nft table only while holding the global host lock, bridge lock first", async () => {
    const { lock, held, events } = recordingLock();
    const nftHeld: string[][] = [];
    const { backend } = setup({
      hostLock: lock,
      onCall: (line) => {
        if (line.startsWith("nft")) nftHeld.push([...held]);
      },
    });
    const p = resolved(NamespaceConfig.privateNetwork(undefined, { id: "ns-p" }));
    const dp = (await backend.create(p)).data;
    const b = resolved(
      NamespaceConfig.bridged(undefined, "web", { id: "ns-b" }),
      interfaceConfig("10.201.0.1", 24),
    );
    const db = (await backend.create(b)).data;
    await backend.destroy(record(p, dp));
    await backend.destroy(record(b, db));
    expect(nftHeld.length).toBeGreaterThanOrEqual(4);
    for (const keys of nftHeld) expect(keys).toContain("global");
    // Always bridge before global (one order: no deadlock between processes), and every acquisition released.
    const seq = events.join(" ");
    expect(seq).toContain(`+${bridgeLockKey(bridgeName("web"))} +global -global`);
    expect(seq).not.toMatch(/\+global [^-]*\+bridge/);
    expect(events.filter((e) => e.startsWith("+")).length).toBe(
      events.filter((e) => e.startsWith("-")).length,
    );
    expect(held).toEqual([]);
  });
});

describe("gc of a veth", () => {
  it("keeps a veth listed as an orphan when a namespace created since claims it", async () => {
    const { backend, runner } = setup();
    const ns = resolved(NamespaceConfig.privateNetwork(undefined, { id: "ns-v" }));
    await backend.create(ns);
    runner.reset();
    await backend.removeOwned!([{ kind: "link", name: vethName("ns-v") }]);
    expect(runner.calls.map((c) => c.input ?? "").join("\n")).not.toContain(`link del ${vethName("ns-v")}`);
  });
});

describe("gc of a bridge", () => {
  it("re-checks under the bridge's lock and keeps a bridge a member joined after the listing", async () => {
    const events: string[] = [];
    const hostLock: HostLock = {
      kind: "test",
      run: async (key, fn) => {
        events.push(key);
        return fn();
      },
    };
    const { backend, runner } = setup({ hostLock });
    const member = resolved(
      NamespaceConfig.bridged(undefined, "web", { id: "ns-m" }),
      interfaceConfig("10.201.0.1", 24),
    );
    await backend.create(member);
    runner.reset();
    events.length = 0;
    // As if listed as an orphan just before the member's create wrote its marker.
    await backend.removeOwned!([{ kind: "link", name: bridgeName("web") }]);
    expect(events).toEqual([bridgeLockKey(bridgeName("web"))]);
    expect(runner.calls.map((c) => c.input ?? "").join("\n")).not.toContain(`link del ${bridgeName("web")}`);
  });
});

describe("doctor", () => {
  it("names foreign chains that drop forwarded traffic by policy, not ours", () => {
    const ruleset = {
      nftables: [
        { chain: { family: "ip", table: "filter", name: "FORWARD", hook: "forward", policy: "drop" } },
        { chain: { family: "inet", table: "nsx", name: "forward", hook: "forward", policy: "drop" } },
        { chain: { family: "inet", table: "fw", name: "fwd", hook: "forward", policy: "accept" } },
      ],
    };
    expect(foreignForwardDrops(ruleset)).toEqual(["ip filter FORWARD"]);
  });
});

describe("linux backend across processes", () => {
  it("joins a bridge another process created meanwhile instead of failing", async () => {
    let raced = false;
    const { backend, runner } = setup({
      fail: (_cmd, input, links) => {
        if (raced || !input?.includes("type bridge")) return false;
        raced = true;
        links.add(/link add (nsb\S+) /.exec(input)![1]!); // the other process won
        return true;
      },
    });
    const a = resolved(
      NamespaceConfig.bridged(undefined, "web", { id: "ns-a" }),
      interfaceConfig("10.201.0.1", 24),
    );
    await backend.create(a);
    const batches = runner.calls.filter((c) => c.command === "ip" && c.args.includes("-batch"));
    expect(batches.at(-1)!.input).not.toContain("type bridge");
    expect(batches.at(-1)!.input).toContain("master nsb");
  });
});

describe("nft transactions", () => {
  it("declares the table once per instance and again when it vanished", async () => {
    let tableGone = false;
    const { backend, runner } = setup({
      fail: (cmd, input) => cmd.startsWith("nft") && tableGone && !input?.includes("add table"),
    });
    const make = (id: string) => backend.create(resolved(NamespaceConfig.privateNetwork(undefined, { id })));
    await make("ns-a");
    await make("ns-b");
    const nft = () =>
      runner.calls.filter((c) => c.command === "nft").map((c) => c.input!.includes("add table"));
    expect(nft()).toEqual([true, false]);
    tableGone = true; // e.g. `nft flush ruleset` by another tool
    await make("ns-c");
    expect(nft()).toEqual([true, false, false, true]);
  });
});
