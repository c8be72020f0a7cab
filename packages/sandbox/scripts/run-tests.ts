// Unit tests outside, kernel e2e tests (*.kernel.test.ts) inside a throwaway fake host when root.
import { runPackageTests } from "@ns/linux/testing";

process.exit(await runPackageTests(process.argv.slice(2), { split: true }));
