import { defineNsVitestConfig } from "../../vitest.shared.ts";

export default defineNsVitestConfig({
  coverage: {
    provider: "v8",
    include: ["src/**/*.ts"],
    // Test support (the conformance and store suites, the fake backend) is exercised, not measured.
    exclude: ["src/**/*.test.ts", "src/testing/**", "test/**"],
    thresholds: { lines: 90 },
  },
});
