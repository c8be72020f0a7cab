import { describe, expect, it } from "vitest";
import { type CommandResult, classifyFailure, commandError } from "./runner.ts";

const result = (over: Partial<CommandResult>): CommandResult => ({
  command: "ip",
  args: ["link", "add"],
  exitCode: 1,
  stdout: "",
  stderr: "",
  ...over,
});

describe("classifyFailure", () => {
  it("calls a program that could not start missing, with the package to install", () => {
    expect(classifyFailure(result({ command: "nft", exitCode: -1, stderr: "spawn nft ENOENT" }))).toEqual({
      code: "ERR_NS_TOOL_MISSING",
      hint: "install nft (Debian: apt-get install nftables)",
    });
    expect(classifyFailure(result({ command: "xyz", exitCode: -1, stderr: "not found" })).hint).toMatch(
      /apt-get install xyz/,
    );
  });

  it("does not call a program missing when it ran and printed 'not found'", () => {
    expect(classifyFailure(result({ stderr: "Cannot find device: not found" })).code).toBe(
      "ERR_NS_COMMAND_FAILED",
    );
  });

  it("recognises permission problems", () => {
    for (const stderr of [
      "RTNETLINK answers: Operation not permitted",
      "open: Permission denied",
      "EPERM",
      "spawn /x EACCES",
      "this must be run as root",
    ])
      expect(classifyFailure(result({ stderr })).code).toBe("ERR_NS_PERMISSION");
  });

  it("recognises names already taken", () => {
    expect(classifyFailure(result({ stderr: "RTNETLINK answers: File exists" })).code).toBe(
      "ERR_NS_NAME_IN_USE",
    );
    expect(classifyFailure(result({ stderr: "netns already exists" })).code).toBe("ERR_NS_NAME_IN_USE");
  });

  it("falls back to ERR_NS_COMMAND_FAILED naming the command", () => {
    expect(classifyFailure(result({ stderr: "Error: argument is wrong" }))).toEqual({
      code: "ERR_NS_COMMAND_FAILED",
      hint: "`ip` failed; see stderr in the error details",
    });
  });
});

describe("commandError", () => {
  it("carries command, arguments, exit code and stderr, with the first lines in the message", () => {
    const cause = new Error("inner");
    const e = commandError(result({ stderr: "one\ntwo\nthree\nfour\n" }), cause);
    expect(e.code).toBe("ERR_NS_COMMAND_FAILED");
    expect(e.message).toBe("ip link add exited 1: one / two / three");
    expect(e.details).toEqual({
      command: "ip",
      args: ["link", "add"],
      exitCode: 1,
      stderr: "one\ntwo\nthree\nfour\n",
    });
    expect(e.cause).toBe(cause);
  });
});
