// The CLI's test entry: unit and simulation e2e tests with plain vitest, then the kernel e2e tests
// (*.kernel.test.ts) inside a throwaway fake host when root on Linux. Without root they are skipped
// locally and fail in CI (describeKernel), so CI can never pass without running them for real.
import { spawnSync } from "node:child_process";
import { runInFakeHost } from "@ns/linux/testing";

const extra = process.argv.slice(2);
const vitest = (args: string[]) => ["npx", "vitest", "run", ...args, ...extra];
const run = (cmd: string[]) => spawnSync(cmd[0]!, cmd.slice(1), { stdio: "inherit" }).status ?? 1;

const unit = run(vitest(["--exclude", "src/**/*.kernel.test.ts"]));
const kernelCmd = vitest(["kernel.test"]);
let kernel: number;
if (process.platform === "linux" && process.getuid?.() === 0) {
  kernel = await runInFakeHost(kernelCmd).catch((e: unknown) => {
    process.stderr.write(`run-tests: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  });
} else {
  process.stderr.write("run-tests: not root: kernel e2e tests are skipped (CI must run as root)\n");
  kernel = run(kernelCmd);
}
process.exit(unit !== 0 ? unit : kernel);
