import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeBackendConformance } from "@ns/core/testing";
import { afterAll } from "vitest";
import { createMacosBackend } from "./backend.ts";
import { createFakeMac } from "./test-support/fake-mac.ts";

// The shared suite against the macOS backend on a fake Mac: a stateful fake pf behind a recording runner, and
// real profile files in a temporary state dir. The platform is never checked by create, only by probe.
const root = mkdtempSync(join(tmpdir(), "ns-macos-conf-"));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeBackendConformance({
  name: "macos (fake pf)",
  createBackend: () => {
    const mac = createFakeMac();
    return createMacosBackend({ runner: mac.runner, stateDir: join(root, String(n++)) });
  },
});
