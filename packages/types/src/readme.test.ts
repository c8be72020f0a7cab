import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";
import { NS_ERROR_CODES } from "./errors.ts";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const dir = mkdtempSync(join(tmpdir(), "ns-types-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("README", () => {
  it("opens with an example that runs and prints what its comments say", async () => {
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const index = fileURLToPath(new URL("./index.ts", import.meta.url));
    const file = join(dir, "example.ts");
    writeFileSync(file, code!.replace('from "@ns/types"', `from ${JSON.stringify(index)}`));
    const lines: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...args) => void lines.push(args.join(" ")));
    try {
      await import(/* @vite-ignore */ file);
    } finally {
      log.mockRestore();
    }
    expect(lines.slice(0, 3)).toEqual(["full true", "private true", "bridged true"]);
    const promised = [...code!.matchAll(/^\/\/ (\S+: .+)$/gm)].map((m) => m[1]);
    expect(promised).toHaveLength(4);
    for (const line of promised) expect(lines).toContain(line);
    expect(lines).toContain("hint: fix the named fields; nothing was created");
    expect(lines.some((l) => l.startsWith("ERR_NS_INVALID_CONFIG invalid namespace config: id:"))).toBe(true);
  });

  it("documents every error code", () => {
    for (const code of NS_ERROR_CODES) expect(readme).toContain(`| \`${code}\``);
  });
});
