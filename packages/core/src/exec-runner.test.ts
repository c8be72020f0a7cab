import { isNsError } from "@ns/types";
import { describe, expect, it } from "vitest";
import { createExecRunner } from "./exec-runner.ts";

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e as { code: string; details: Record<string, unknown>; message: string };
  }
  throw new Error("expected a failure");
}

describe("exec runner", () => {
  const runner = createExecRunner();

  it("runs a program and returns its output", async () => {
    expect(await runner.run("true", [])).toEqual({
      command: "true",
      args: [],
      exitCode: 0,
      stdout: "",
      stderr: "",
    });
    const r = await runner.run("sh", ["-c", "echo out; echo err >&2"]);
    expect(r).toMatchObject({ exitCode: 0, stdout: "out\n", stderr: "err\n" });
  });

  it("feeds input on stdin", async () => {
    expect((await runner.run("cat", [], { input: "line 1\nline 2\n" })).stdout).toBe("line 1\nline 2\n");
  });

  it("throws ERR_NS_COMMAND_FAILED on a non-zero exit, unless failure is allowed", async () => {
    const e = await failure(runner.run("false", []));
    expect(e.code).toBe("ERR_NS_COMMAND_FAILED");
    expect(e.details).toMatchObject({ command: "false", exitCode: 1 });
    expect((await runner.run("false", [], { allowFailure: true })).exitCode).toBe(1);
  });

  it("classifies stderr of a failed program", async () => {
    const e = await failure(
      runner.run("sh", ["-c", "echo 'RTNETLINK answers: Operation not permitted' >&2; exit 2"]),
    );
    expect(e.code).toBe("ERR_NS_PERMISSION");
  });

  it("reports a missing program as ERR_NS_TOOL_MISSING", async () => {
    const e = await failure(runner.run("ns-no-such-binary", ["x"]));
    expect(isNsError(e, "ERR_NS_TOOL_MISSING")).toBe(true);
    expect(e.details).toMatchObject({ command: "ns-no-such-binary", exitCode: -1 });
  });

  it("kills a program that runs past its timeout", async () => {
    const e = await failure(runner.run("sleep", ["5"], { timeoutMs: 50 }));
    expect(e.code).toBe("ERR_NS_COMMAND_FAILED");
    expect(e.message).toMatch(/timed out/);
  });

  it("reports a cancelled program as ERR_NS_ABORTED", async () => {
    const ac = new AbortController();
    const running = runner.run("sleep", ["5"], { signal: ac.signal, allowFailure: true });
    setTimeout(() => ac.abort(), 20);
    expect((await failure(running)).code).toBe("ERR_NS_ABORTED");
  });

  it("passes extra environment", async () => {
    const r = await createExecRunner({ env: { NS_TEST_VAR: "v" } }).run("sh", ["-c", "echo $NS_TEST_VAR"]);
    expect(r.stdout).toBe("v\n");
  });
});
