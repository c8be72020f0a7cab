import { defineNsVitestConfig } from "../../vitest.shared.ts";

// Kernel test files share one fake host (and gc sees every namespace in it): run files one after another.
export default defineNsVitestConfig({ fileParallelism: false });
