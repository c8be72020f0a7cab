import { defineNsVitestConfig } from "../../vitest.shared.ts";
export default defineNsVitestConfig({ fileParallelism: false, setupFiles: ["/tmp/inproc-scratch/setup-inproc.ts"] });
