import { spawnSync } from "node:child_process";
import { runInFakeHost } from "./fake-host.ts";

/**
 * A package's test entry. As root on Linux the kernel tests (*.kernel.test.ts) run inside a throwaway fake host:
 * with `split`, unit tests run first outside it and only the kernel tests inside; otherwise everything runs inside.
 * Without root, kernel tests skip locally and fail in CI (describeKernel), so CI cannot pass without them.
 */
export async function runPackageTests(
  extra: readonly string[],
  options: { split?: boolean } = {},
): Promise<number> {
  const vitest = (args: string[]) => ["npx", "vitest", "run", ...args, ...extra];
  const run = (cmd: string[]) => spawnSync(cmd[0]!, cmd.slice(1), { stdio: "inherit" }).status ?? 1;
  const root = process.platform === "linux" && process.getuid?.() === 0;
  const unit = options.split ? run(vitest(["--exclude", "src/**/*.kernel.test.ts"])) : 0;
  const cmd = options.split ? vitest(["kernel.test"]) : vitest([]);
  if (!root) {
    process.stderr.write("run-tests: not root: kernel tests are skipped (CI must run as root)\n");
    const code = run(cmd);
    return unit !== 0 ? unit : code;
  }
  const kernel = await runInFakeHost(cmd).catch((e: unknown) => {
    process.stderr.write(`run-tests: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  });
  return unit !== 0 ? unit : kernel;
}
