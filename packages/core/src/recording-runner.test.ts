import { describe, expect, it } from "vitest";
import { createRecordingRunner } from "./recording-runner.ts";

describe("recording runner", () => {
  it("records calls with their input and renders them as lines", async () => {
    const r = createRecordingRunner();
    await r.run("ip", ["-batch", "-"], { input: "link add a type veth\n" });
    await r.run("nft", ["list", "tables"]);
    expect(r.calls).toEqual([
      { command: "ip", args: ["-batch", "-"], input: "link add a type veth\n" },
      { command: "nft", args: ["list", "tables"] },
    ]);
    expect(r.lines()).toEqual(["ip -batch -\nlink add a type veth", "nft list tables"]);
    r.reset();
    expect(r.calls).toEqual([]);
  });

  it("answers with the responder's result and throws classified errors on failure", async () => {
    const r = createRecordingRunner((c) =>
      c.command === "nft" ? { exitCode: 1, stderr: "Operation not permitted" } : { stdout: "ok" },
    );
    expect((await r.run("ip", [])).stdout).toBe("ok");
    await expect(r.run("nft", ["-f", "-"])).rejects.toMatchObject({ code: "ERR_NS_PERMISSION" });
    expect((await r.run("nft", [], { allowFailure: true })).exitCode).toBe(1);
  });
});
