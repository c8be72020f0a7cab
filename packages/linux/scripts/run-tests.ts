// The package's test entry: everything runs inside a fake host when root (see runPackageTests), then the
// kernel tests again with the process driver, so both kernel drivers pass the same tests.
import { runPackageTests } from "../src/testing/run-tests.ts";

const extra = process.argv.slice(2);
const first = await runPackageTests(extra);
process.env.NS_LINUX_DRIVER = "process";
process.stderr.write("\nrun-tests: kernel tests again with the process driver (NS_LINUX_DRIVER=process)\n");
const second = await runPackageTests(["kernel.test", ...extra]);
process.exit(first !== 0 ? first : second);
