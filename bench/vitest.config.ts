import { defineNsVitestConfig } from "../vitest.shared.ts";

export default defineNsVitestConfig();
