import { describe, expect, it } from "vitest";
import {
  InvalidConfigError,
  isNsError,
  NS_ERROR_CODES,
  NsError,
  TeardownError,
  teardownFailures,
  toNsError,
} from "./errors.ts";

describe("NsError", () => {
  it("carries code, message, hint, cause and details", () => {
    const cause = new Error("EPERM");
    const e = new NsError("ERR_NS_PERMISSION", "cannot create netns", {
      hint: "run as root",
      cause,
      details: { command: "ip netns add x" },
    });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("NsError");
    expect(e.code).toBe("ERR_NS_PERMISSION");
    expect(e.message).toBe("cannot create netns");
    expect(e.hint).toBe("run as root");
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ command: "ip netns add x" });
    expect(e.stack).toContain("cannot create netns");
  });

  it("has no cause property and empty details when none are given", () => {
    const e = new NsError("ERR_NS_INTERNAL", "boom");
    expect("cause" in e).toBe(false);
    expect(e.hint).toBeUndefined();
    expect(e.details).toEqual({});
  });

  it("serialises to JSON without the stack", () => {
    const e = new NsError("ERR_NS_NOT_FOUND", "no ns x", { hint: "list them", details: { id: "x" } });
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      name: "NsError",
      code: "ERR_NS_NOT_FOUND",
      message: "no ns x",
      hint: "list them",
      details: { id: "x" },
    });
  });

  it("lists only unique ERR_NS_* codes", () => {
    expect(new Set(NS_ERROR_CODES).size).toBe(NS_ERROR_CODES.length);
    for (const c of NS_ERROR_CODES) expect(c).toMatch(/^ERR_NS_[A-Z_]+$/);
  });
});

describe("isNsError", () => {
  it("recognises NsErrors and their subclasses, optionally by code", () => {
    const e = new NsError("ERR_NS_EXISTS", "dup");
    expect(isNsError(e)).toBe(true);
    expect(isNsError(e, "ERR_NS_EXISTS")).toBe(true);
    expect(isNsError(e, "ERR_NS_NOT_FOUND")).toBe(false);
    expect(isNsError(new InvalidConfigError([]), "ERR_NS_INVALID_CONFIG")).toBe(true);
  });

  it("recognises an NsError from a duplicated copy of the package by its code", () => {
    class OtherCopyNsError extends Error {
      code = "ERR_NS_PORT_IN_USE";
    }
    expect(isNsError(new OtherCopyNsError("taken"), "ERR_NS_PORT_IN_USE")).toBe(true);
  });

  it("rejects other errors and plain values", () => {
    const sys = Object.assign(new Error("x"), { code: "ENOENT" });
    expect(isNsError(sys)).toBe(false);
    expect(isNsError(new Error("plain"))).toBe(false);
    expect(isNsError({ code: "ERR_NS_INTERNAL", message: "json" })).toBe(false);
    expect(isNsError(Object.assign(new Error("x"), { code: 5 }))).toBe(false);
    expect(isNsError(null)).toBe(false);
    expect(isNsError("ERR_NS_INTERNAL")).toBe(false);
  });
});

describe("toNsError", () => {
  it("returns an NsError unchanged", () => {
    const e = new NsError("ERR_NS_STATE", "bad state");
    expect(toNsError(e)).toBe(e);
    expect(toNsError(e, "ERR_NS_INTERNAL")).toBe(e);
  });

  it("wraps an Error as ERR_NS_INTERNAL keeping message and cause", () => {
    const cause = new TypeError("oops");
    const e = toNsError(cause);
    expect(e.code).toBe("ERR_NS_INTERNAL");
    expect(e.message).toBe("oops");
    expect(e.cause).toBe(cause);
  });

  it("uses the given code", () => {
    expect(toNsError(new Error("x"), "ERR_NS_COMMAND_FAILED").code).toBe("ERR_NS_COMMAND_FAILED");
  });

  it("maps aborts and timeouts to ERR_NS_ABORTED", () => {
    const ac = new AbortController();
    ac.abort();
    expect(toNsError(ac.signal.reason).code).toBe("ERR_NS_ABORTED");
    expect(toNsError(new DOMException("late", "TimeoutError")).code).toBe("ERR_NS_ABORTED");
    expect(toNsError(ac.signal.reason, "ERR_NS_INTERNAL").code).toBe("ERR_NS_INTERNAL");
  });

  it("wraps non-errors using their message or their text", () => {
    expect(toNsError("just a string").message).toBe("just a string");
    expect(toNsError({ message: "from an object" }).message).toBe("from an object");
    expect(toNsError(undefined).message).toBe("undefined");
    expect(toNsError(null).message).toBe("null");
  });
});

describe("InvalidConfigError", () => {
  it("lists every issue in message and details", () => {
    const issues = [
      { field: "mode", message: "must be full, private, shared or bridged" },
      { field: "portForwards.0.hostPort", message: "must be 1..65535" },
    ];
    const e = new InvalidConfigError(issues);
    expect(e.code).toBe("ERR_NS_INVALID_CONFIG");
    expect(e.issues).toEqual(issues);
    expect(e.details).toEqual({ issues });
    expect(e.message).toContain("mode: must be full");
    expect(e.message).toContain("portForwards.0.hostPort: must be 1..65535");
    expect(e.hint).toBeTruthy();
  });

  it("keeps its own copy of the issues", () => {
    const issues = [{ field: "id", message: "bad" }];
    const e = new InvalidConfigError(issues);
    issues[0]!.message = "changed";
    expect(e.issues[0]!.message).toBe("bad");
  });
});

describe("TeardownError", () => {
  it("collects every failed step", () => {
    const a = new NsError("ERR_NS_COMMAND_FAILED", "nft delete table failed");
    const b = new NsError("ERR_NS_COMMAND_FAILED", "ip link del failed");
    const e = new TeardownError("web", [a, b]);
    expect(e.code).toBe("ERR_NS_TEARDOWN");
    expect(e.failures).toEqual([a, b]);
    expect(e.message).toBe(
      "teardown of web had 2 failed step(s): nft delete table failed; ip link del failed",
    );
    expect(e.details).toEqual({ id: "web", failures: [a.toJSON(), b.toJSON()] });
    expect(e.hint).toContain("ns gc");
  });

  it("wraps stray non-NsError failures instead of crashing", () => {
    const e = new TeardownError("x", [new Error("raw") as NsError]);
    expect(e.failures[0]!.code).toBe("ERR_NS_INTERNAL");
    expect(e.message).toContain("raw");
  });

  it("lists the steps of a nested teardown, not the teardown", () => {
    const a = new NsError("ERR_NS_COMMAND_FAILED", "a");
    const b = new NsError("ERR_NS_COMMAND_FAILED", "b");
    const e = new TeardownError("gc", [new TeardownError("web", [a]), b]);
    expect(e.failures).toEqual([a, b]);
  });
});

describe("teardownFailures", () => {
  it("is a teardown's failures, or the error itself as an NsError", () => {
    const a = new NsError("ERR_NS_COMMAND_FAILED", "a");
    expect(teardownFailures(new TeardownError("web", [a]))).toEqual([a]);
    expect(teardownFailures(a)).toEqual([a]);
    expect(teardownFailures(new Error("raw"))[0]!.code).toBe("ERR_NS_INTERNAL");
  });
});
