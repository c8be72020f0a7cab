// Median create/destroy times of the Linux backend, with a baseline of bare `ip netns add`/`del` measured in the
// same run. Run inside the fake host: tsx scripts/in-fake-host.ts -- npx tsx scripts/measure.ts [runs]
import { createExecRunner, createNamespaceManager } from "@ns/core";
import { NamespaceConfig } from "@ns/types";
import { createLinuxBackend } from "../src/index.ts";
import { assertInFakeHost, kernelTestEnv } from "../src/testing/kernel.ts";

const runs = Number(process.argv[2] ?? 50);
const uplink = process.env.NS_TEST_UPLINK;
const env = kernelTestEnv();
if (!env) {
  process.stderr.write(
    "run inside the fake host: tsx scripts/in-fake-host.ts -- npx tsx scripts/measure.ts\n",
  );
  process.exit(1);
}
// The variable alone is not proof: refuse unless this process really is in the fake host (no real eth0).
assertInFakeHost(env);
const manager = createNamespaceManager({ backend: createLinuxBackend(uplink ? { uplink } : {}) });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const runner = createExecRunner();

const base = { create: [] as number[], destroy: [] as number[] };
for (let i = 0; i < runs; i++) {
  let t = performance.now();
  await runner.run("ip", ["netns", "add", `nsx-baseline-${process.pid}`]);
  base.create.push(performance.now() - t);
  t = performance.now();
  await runner.run("ip", ["netns", "del", `nsx-baseline-${process.pid}`]);
  base.destroy.push(performance.now() - t);
}
const bc = median(base.create);
const bd = median(base.destroy);
process.stdout.write(`baseline: ip netns add ${bc.toFixed(1)} ms, ip netns del ${bd.toFixed(1)} ms\n`);

const fwd = { portForwards: [{ hostPort: 18080, nsPort: 80, protocol: "tcp" as const }] };
const cases: [string, () => NamespaceConfig][] = [
  ["full", () => NamespaceConfig.fullIsolation()],
  ["private", () => NamespaceConfig.privateNetwork()],
  ["private+1 forward", () => NamespaceConfig.privateNetwork(undefined, fwd)],
  ["bridged", () => NamespaceConfig.bridged(undefined, "bench")],
];
async function measure(label: string) {
  for (const [name, config] of cases) {
    const create: number[] = [];
    const destroy: number[] = [];
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      const ns = await manager.create(config());
      create.push(performance.now() - t);
      t = performance.now();
      await manager.destroy(ns.id);
      destroy.push(performance.now() - t);
    }
    const c = median(create);
    const d = median(destroy);
    process.stdout.write(
      `${label} ${name.padEnd(18)} create ${c.toFixed(1)} ms (${(c / bc).toFixed(1)}x), destroy ${d.toFixed(1)} ms (${(d / bd).toFixed(1)}x)\n`,
    );
  }
}
await measure("alone:");
// With one private and one bridged namespace alive, the table and the bridge stay: the steady state.
const keep = [
  await manager.create(NamespaceConfig.privateNetwork()),
  await manager.create(NamespaceConfig.bridged(undefined, "bench")),
];
await measure("warm: ");
// Background destroy: returns once nothing can reach the namespace; the kernel finishes the veth afterwards.
{
  const ret: number[] = [];
  const settle: number[] = [];
  for (let i = 0; i < runs; i++) {
    const ns = await manager.create(NamespaceConfig.privateNetwork(undefined, fwd));
    const t = performance.now();
    await manager.destroy(ns.id, { background: true });
    ret.push(performance.now() - t);
    await manager.settle();
    settle.push(performance.now() - t);
  }
  process.stdout.write(
    `warm:  private+1 forward destroy in the background: returns in ${median(ret).toFixed(2)} ms, settled after ${median(settle).toFixed(1)} ms\n`,
  );
}
for (const k of keep) await manager.destroy(k.id);
await manager.close();
