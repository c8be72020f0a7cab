import { fileURLToPath } from "node:url";
import { defineConfig, type ViteUserConfig } from "vitest/config";

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

/** One vitest config for every package: workspace packages resolve to their sources. */
export function defineNsVitestConfig(extra: ViteUserConfig["test"] = {}): ViteUserConfig {
  return defineConfig({
    resolve: {
      alias: {
        "@ns/types": pkg("types"),
        "@ns/core/testing": fileURLToPath(new URL("./packages/core/src/testing/index.ts", import.meta.url)),
        "@ns/core": pkg("core"),
        "@ns/simulation": pkg("simulation"),
        "@ns/linux": pkg("linux"),
        "@ns/macos": pkg("macos"),
        "@ns/sandbox": pkg("sandbox"),
      },
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
