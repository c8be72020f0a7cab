import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnWait } from "./baselines.ts";
import { exec } from "./proc.ts";
import { type Collector, compare, type Profile, type Row } from "./result.ts";
import { summarize, timed } from "./stats.ts";
import { NAMES } from "./targets.ts";

/** The built CLI entry point (apps/cli/bundle/ns.mjs, the `ns` bin); the bench depends on `build` for it. */
export const CLI_BIN = fileURLToPath(new URL("../../apps/cli/bundle/ns.mjs", import.meta.url));

/**
 * Environment of the node children. NODE_EXTRA_CA_CERTS makes every Node start parse a CA bundle
 * (50-100 ms on the reference machine); it is a property of this workplace, not of ns, so it is
 * removed and its cost shown as a row of its own.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

async function nodeTimes(runs: number, args: string[], env: NodeJS.ProcessEnv): Promise<number[]> {
  const out: number[] = [];
  for (let i = -1; i < runs; i++) {
    const t = await timed(() => spawnWait(process.execPath, args, env));
    if (i >= 0) out.push(t);
  }
  return out;
}

/** `ns run --mode full -- true` wall time against a bare `node -e 0` start. */
export async function runCli(c: Collector, p: Profile): Promise<void> {
  const env = cleanEnv();
  const base = c.add({
    section: NAMES.cli,
    name: "node -e 0 (wall)",
    unit: "ms",
    summary: summarize(await nodeTimes(p.slowRuns, ["-e", "0"], env)),
  });
  if (process.env.NODE_EXTRA_CA_CERTS) {
    const withCa = await nodeTimes(Math.min(p.slowRuns, 20), ["-e", "0"], process.env);
    c.add(
      compare(
        {
          section: NAMES.cli,
          name: "node -e 0 with NODE_EXTRA_CA_CERTS set (wall)",
          unit: "ms",
          summary: summarize(withCa),
          note: "the environment this ran in sets it; every other node row runs without it",
        },
        base,
      ),
    );
  }
  if (!existsSync(CLI_BIN)) {
    c.note(`ns CLI: ${CLI_BIN} not built (pnpm build); \`ns run\` not measured`);
    return;
  }
  // Its own state dir: the CLI's SQLite state of the bench never mixes with the host's (/var/lib/ns).
  const stateDir = mkdtempSync(join(tmpdir(), "nsxt-bench-cli-"));
  try {
    await runCliIn(c, p, { ...env, NS_STATE_DIR: stateDir }, base);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function runCliIn(c: Collector, p: Profile, env: NodeJS.ProcessEnv, base: Row): Promise<void> {
  const args = [CLI_BIN, "run", "--mode", "full", "--", "true"];
  const first = await exec(process.execPath, args, { allowFailure: true, fullEnv: env });
  if (first.code !== 0) {
    c.note(
      `ns CLI: \`ns run --mode full -- true\` exited ${first.code}: ${first.stderr.trim().slice(0, 300)}`,
    );
    return;
  }
  const version = await nodeTimes(p.slowRuns, [CLI_BIN, "--version"], env);
  c.add(
    compare(
      {
        section: NAMES.cli,
        name: "ns --version (wall): start-up and module loading only",
        unit: "ms",
        summary: summarize(version),
      },
      base,
    ),
  );
  c.add(
    compare(
      {
        section: NAMES.cli,
        name: NAMES.cliRun,
        unit: "ms",
        summary: summarize(await nodeTimes(p.slowRuns, args, env)),
      },
      base,
    ),
  );
}
