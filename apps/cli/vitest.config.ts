import { fileURLToPath } from "node:url";
import type { Alias } from "vite";
import type { ViteUserConfig } from "vitest/config";
import { defineNsVitestConfig } from "../../vitest.shared.ts";

const base = defineNsVitestConfig();
const shared = (base.resolve?.alias ?? {}) as Record<string, string>;
// The shared aliases map "@ns/linux" by prefix, which would turn "@ns/linux/testing" into a path under index.ts.
const alias: Alias[] = [
  {
    find: /^@ns\/linux\/testing$/,
    replacement: fileURLToPath(new URL("../../packages/linux/src/testing/index.ts", import.meta.url)),
  },
  ...Object.entries(shared).map(([find, replacement]) => ({ find, replacement })),
];

const config: ViteUserConfig = { ...base, resolve: { ...base.resolve, alias } };
export default config;
