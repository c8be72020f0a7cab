import { fileURLToPath } from "node:url";
import { defineConfig, type ViteUserConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

// Exact-match aliases: "@ns/linux" must not swallow "@ns/linux/testing".
const ALIASES: [string, string][] = [
  ["@ns/types", "types/src/index.ts"],
  ["@ns/core/testing", "core/src/testing/index.ts"],
  ["@ns/core", "core/src/index.ts"],
  ["@ns/simulation", "simulation/src/index.ts"],
  ["@ns/linux/testing", "linux/src/testing/index.ts"],
  ["@ns/linux", "linux/src/index.ts"],
  ["@ns/macos", "macos/src/index.ts"],
  ["@ns/sandbox", "sandbox/src/index.ts"],
];

/** One vitest config for every package: workspace packages resolve to their sources. */
export function defineNsVitestConfig(extra: ViteUserConfig["test"] = {}): ViteUserConfig {
  return defineConfig({
    resolve: {
      alias: ALIASES.map(([name, path]) => ({
        find: new RegExp(`^${name.replace(/[/]/g, "\\/")}$`),
        replacement: src(path),
      })),
    },
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: 20_000,
      hookTimeout: 30_000,
      coverage: { provider: "v8", include: ["src/**/*.ts"], exclude: ["src/**/*.test.ts", "src/testing/**"] },
      ...extra,
    },
  });
}
