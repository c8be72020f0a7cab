import { defineNsVitestConfig } from "../../vitest.shared.ts";

export default defineNsVitestConfig({
  coverage: {
    provider: "v8",
    include: ["src/**/*.ts"],
    exclude: ["src/**/*.test.ts"],
    thresholds: { lines: 90 },
  },
});
