// The package's test entry: everything runs inside a fake host when root (see runPackageTests).
import { runPackageTests } from "../src/testing/run-tests.ts";

process.exit(await runPackageTests(process.argv.slice(2)));
