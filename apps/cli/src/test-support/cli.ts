import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../program.ts";

/** Result of one in-process CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json<T = Record<string, unknown>>(): T;
}

/** A temporary state directory and a runner bound to it (simulation backend). */
export function cliSandbox() {
  const stateDir = mkdtempSync(join(tmpdir(), "ns-cli-test-"));
  const env = { ...process.env, NS_BACKEND: "simulation", NS_STATE_DIR: stateDir };
  return {
    stateDir,
    async ns(...argv: string[]): Promise<CliRun> {
      let stdout = "";
      let stderr = "";
      const code = await runCli(argv, {
        stdout: (s) => {
          stdout += s;
        },
        stderr: (s) => {
          stderr += s;
        },
        env,
      });
      return { code, stdout, stderr, json: () => JSON.parse(stdout) };
    },
    cleanup() {
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
