// Benchmark harness: `pnpm bench` (smoke) or `pnpm bench -- --profile full`. See docs/performance.md.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release } from "node:os";
import { fileURLToPath } from "node:url";
import { assertIsolated, runInFakeHost, setupFakeHost, teardownFakeHost } from "./src/fake-host.ts";
import { stopAllDaemons, which } from "./src/proc.ts";
import { renderMarkdown } from "./src/report.ts";
import { type BenchResult, createCollector, PROFILES, type ProfileName } from "./src/result.ts";
import { runKernel, runUnprivileged } from "./src/sections.ts";
import { checkTargets } from "./src/targets.ts";

interface Args {
  profile: ProfileName;
  inside: boolean;
  out: string;
  skip: Set<string>;
}

function parseArgs(argv: readonly string[]): Args {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  };
  const profile = (get("--profile") ?? process.env.BENCH_PROFILE ?? "smoke") as ProfileName;
  if (!(profile in PROFILES)) throw new Error(`unknown profile ${profile} (smoke | full)`);
  return {
    profile,
    inside: argv.includes("--inside"),
    out: get("--out") ?? fileURLToPath(new URL("./results/", import.meta.url)),
    skip: new Set((get("--skip") ?? process.env.BENCH_SKIP ?? "").split(",").filter(Boolean)),
  };
}

const stamp = () => new Date().toISOString().slice(0, 16).replace(":", "").concat("Z");

async function measure(args: Args, kernel: boolean): Promise<number> {
  // BENCH_SCALE_N overrides N of the scale test (e.g. to try 5,000, or a quick 200).
  const p = { ...PROFILES[args.profile] };
  if (process.env.BENCH_SCALE_N) p.scaleN = Number(process.env.BENCH_SCALE_N);
  const c = createCollector();
  const t0 = Date.now();
  const load0 = loadavg()[0] ?? 0;
  const onSignal = async (sig: string) => {
    // Everything kernel-side dies with the fake host; stop our own children so it can die now.
    console.error(`[bench] ${sig}: stopping`);
    await stopAllDaemons();
    process.exit(130);
  };
  process.on("SIGTERM", () => void onSignal("SIGTERM"));
  process.on("SIGINT", () => void onSignal("SIGINT"));
  let failed: unknown;
  try {
    if (kernel) {
      await assertIsolated();
      await setupFakeHost();
      await runKernel(c, p, args.skip);
    } else {
      c.note("not root (or no unshare): simulation backend and unprivileged baselines only");
      await runUnprivileged(c, p);
    }
  } catch (e) {
    failed = e;
    c.note(`run failed: ${(e as Error).stack ?? e}`);
  } finally {
    await stopAllDaemons();
    if (kernel) await teardownFakeHost();
  }
  const result: BenchResult = {
    date: new Date().toISOString(),
    profile: p.name,
    host: {
      kernel: release(),
      cpus: cpus().length,
      node: process.version,
      root: kernel,
      load: { start: load0, end: loadavg()[0] ?? 0 },
      fakeHost: kernel
        ? "own netns + mount ns + pid ns (unshare), upstream test netns behind uplink0"
        : "none",
    },
    rows: c.rows,
    targets: checkTargets(c, p.scaleN, p.name === "full", kernel ? undefined : "not root: simulation only"),
    profiles: c.profiles,
    notes: c.notes,
    durationSeconds: (Date.now() - t0) / 1000,
  };
  const md = renderMarkdown(result);
  mkdirSync(args.out, { recursive: true });
  const base = `${args.out.replace(/\/$/, "")}/${stamp()}${p.name === "smoke" ? "-smoke" : ""}`;
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${base}.md`, md);
  console.log(md);
  console.log(`results: ${base}.json, ${base}.md`);
  return failed || c.failures.length > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.inside) return measure(args, true);
  const root = process.getuid?.() === 0;
  if (root && which("unshare") && which("ip") && which("nft")) {
    const script = fileURLToPath(import.meta.url);
    return runInFakeHost([
      process.execPath,
      ...process.execArgv,
      script,
      ...process.argv.slice(2),
      "--inside",
    ]);
  }
  return measure(args, false);
}

process.exitCode = await main();
