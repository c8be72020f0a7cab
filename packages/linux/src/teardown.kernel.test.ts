import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { type CommandRunner, createExecRunner, createNamespaceManager } from "@ns/core";
import { type NamespaceConfig as Config, NamespaceConfig } from "@ns/types";
import { afterEach, expect, it } from "vitest";
import { createLinuxBackend } from "./backend.ts";
import { vethName } from "./names.ts";
import { leftovers, NOTHING } from "./test-support/leftovers.ts";
import { describeKernel } from "./testing/kernel.ts";

/** Ids of every namespace these tests asked for (named namespaces are machine-wide: others' are not ours). */
const made = new Set<string>();
function track<T extends Config>(config: T): T {
  made.add(config.id);
  return config;
}

const ours = () => leftovers((n) => made.has(n.slice("nsx-".length)));
const nothing = NOTHING;
const ipForward = () => readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim();

/** A runner that works for `after` commands and then fails every one, like a process killed at that point. */
function crashingRunner(after: number, count: { n: number }): CommandRunner {
  const real = createExecRunner();
  return {
    async run(command, args, options) {
      if (count.n++ >= after) throw new Error(`simulated crash before ${command} ${args.join(" ")}`);
      return real.run(command, args, options);
    },
  };
}

describeKernel("teardown and gc on the kernel", (env) => {
  const forwardBefore = ipForward();
  afterEach(() => {
    expect(ours()).toEqual(nothing);
    expect(ipForward()).toBe(forwardBefore);
  });

  it("removes every mode completely, also a namespace deleted behind its back", async () => {
    const manager = createNamespaceManager({ backend: createLinuxBackend({ uplink: env.uplink }) });
    const made = [
      await manager.create(track(NamespaceConfig.fullIsolation())),
      await manager.create(
        track(
          NamespaceConfig.privateNetwork(undefined, {
            portForwards: [{ hostPort: 18500, nsPort: 80, protocol: "udp" }],
            dnsServers: ["192.0.2.53"],
          }),
        ),
      ),
      await manager.create(track(NamespaceConfig.bridged(undefined, "td-x"))),
      await manager.create(track(NamespaceConfig.bridged(undefined, "td-x"))),
    ];
    expect(ipForward()).toBe("1");
    expect(readFileSync(`/etc/netns/nsx-${made[1]!.id}/resolv.conf`, "utf8")).toContain(
      "nameserver 192.0.2.53",
    );
    execFileSync("ip", ["netns", "del", `nsx-${made[1]!.id}`]);
    for (const m of made) await manager.destroy(m.id);
    await manager.close();
  });

  it("replaces a leftover netns and veth of the same name (a crash before any marker) and creates anyway", async () => {
    const config = track(NamespaceConfig.privateNetwork());
    execFileSync("ip", ["netns", "add", `nsx-${config.id}`]);
    execFileSync("ip", ["link", "add", vethName(config.id), "type", "veth", "peer", "name", "nsxtleft0"]);
    const manager = createNamespaceManager({ backend: createLinuxBackend({ uplink: env.uplink }) });
    const info = await manager.create(config);
    expect(info.interface?.ipAddr).toBeTruthy();
    await manager.destroy(info.id);
    await manager.close();
  });

  const configs: [string, () => Config][] = [
    ["full", () => NamespaceConfig.fullIsolation()],
    [
      "private",
      () =>
        NamespaceConfig.privateNetwork(undefined, {
          portForwards: [
            { hostPort: 18600, nsPort: 80, protocol: "udp" },
            { hostPort: 18601, nsPort: 80, protocol: "tcp" },
          ],
        }),
    ],
    ["bridged", () => NamespaceConfig.bridged(undefined, "td-crash")],
  ];
  for (const [mode, config] of configs) {
    it(`leaves nothing after gc when a ${mode} create dies after any number of commands`, async () => {
      const total = { n: 0 };
      const counting = createNamespaceManager({
        backend: createLinuxBackend({ uplink: env.uplink, runner: crashingRunner(1000, total) }),
      });
      const ok = await counting.create(track(config()));
      const commandsOfCreate = total.n;
      await counting.destroy(ok.id);
      await counting.close();
      expect(commandsOfCreate).toBeGreaterThan(0);
      for (let after = 0; after < commandsOfCreate; after++) {
        const crashing = createNamespaceManager({
          backend: createLinuxBackend({ uplink: env.uplink, runner: crashingRunner(after, { n: 0 }) }),
        });
        // It fails, or (when only tolerated steps such as conntrack failed) succeeds and is then forgotten:
        // either way the gc of a fresh manager with no record of it must find and remove everything.
        await crashing.create(track(config())).catch(() => undefined);
        const gc = createNamespaceManager({ backend: createLinuxBackend({ uplink: env.uplink }) });
        const report = await gc.gc();
        expect(report.errors).toEqual([]);
        expect({ after, ...ours() }).toEqual({ after, ...nothing });
        await gc.close();
      }
    });
  }
  it("gc of one store never collects the namespaces of another store", async () => {
    const mine = createNamespaceManager({
      backend: createLinuxBackend({ uplink: env.uplink, owner: "sqlite:/a" }),
    });
    const theirs = createNamespaceManager({
      backend: createLinuxBackend({ uplink: env.uplink, owner: "sqlite:/b" }),
    });
    const a = await mine.create(track(NamespaceConfig.privateNetwork(undefined, { uplink: env.uplink })));
    const b = await theirs.create(track(NamespaceConfig.privateNetwork(undefined, { uplink: env.uplink })));
    // `mine` has no record of b: without owners it would look like a crash leftover.
    const report = await mine.gc();
    expect(report.errors).toEqual([]);
    expect(report.removedObjects).toEqual([]);
    expect(await (await theirs.backend()).exists((await theirs.store.get(b.id))!)).toBe(true);
    expect(ours().links).toContain(vethName(b.id));
    await mine.destroy(a.id);
    await theirs.destroy(b.id);
    await mine.close();
    await theirs.close();
    expect(ours()).toEqual(nothing);
  });
  it("background destroy blackholes the address until the rules are gone, then leaves nothing", async () => {
    const m = createNamespaceManager({ backend: createLinuxBackend({ uplink: env.uplink }) });
    const keep = await m.create(track(NamespaceConfig.privateNetwork(undefined, { uplink: env.uplink })));
    const fwd = [{ hostPort: 18181, nsPort: 80, protocol: "tcp" as const }];
    const a = await m.create(
      track(NamespaceConfig.privateNetwork(undefined, { uplink: env.uplink, portForwards: fwd })),
    );
    const blackholes = () =>
      execFileSync("ip", ["route", "show", "type", "blackhole"], { encoding: "utf8" }).trim();
    await m.destroy(a.id, { background: true });
    expect(blackholes()).toContain(a.interface!.ipAddr);
    await m.settle();
    expect(blackholes()).toBe("");
    expect(await m.exists(a.id)).toBe(false);
    await m.destroy(keep.id);
    await m.close();
    expect(ours()).toEqual(nothing);
  });
});
