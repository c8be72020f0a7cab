// Bundles the CLI so that `ns` starts fast: one module graph read from a few files instead of hundreds.
// Backends stay lazy chunks (imported by name only when chosen); native addons stay external.
import { defineConfig } from "rolldown";

export default defineConfig({
  input: { ns: "src/bin.ts" },
  platform: "node",
  external: ["better-sqlite3", "koffi"],
  resolve: { conditionNames: ["source", "import", "node", "default"] },
  output: {
    dir: "bundle",
    format: "esm",
    entryFileNames: "[name].mjs",
    chunkFileNames: "chunks/[name]-[hash].mjs",
    minify: "dce-only",
  },
});
