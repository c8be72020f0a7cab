// The package's test entry: as root, vitest runs inside a fake host (kernel tests included); otherwise plain vitest.
import { spawnSync } from "node:child_process";
import { runInFakeHost } from "../src/testing/fake-host.ts";

const extra = process.argv.slice(2);
const vitest = ["npx", "vitest", "run", ...extra];
const root = typeof process.getuid === "function" && process.getuid() === 0;
if (root && process.platform === "linux") {
  runInFakeHost(vitest).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`run-tests: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
} else {
  process.stderr.write("run-tests: not root: kernel tests will be skipped (CI must run as root)\n");
  const r = spawnSync(vitest[0]!, vitest.slice(1), { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
