import { createRecordingRunner } from "@ns/core";
import { isNsError } from "@ns/types";
import { describe, expect, it, vi } from "vitest";

describe("driver selection", () => {
  it("gives a reason instead of a driver when koffi or libnftables cannot be loaded", async () => {
    vi.resetModules();
    vi.doMock("./libc.ts", () => ({ loadNative: () => ({ reason: "koffi is not installed (test)" }) }));
    try {
      const { createInprocDriver, tryCreateInprocDriver } = await import("./index.ts");
      const options = { runner: createRecordingRunner(), netnsDir: "/run/netns" };
      expect(tryCreateInprocDriver(options)).toEqual({ reason: "koffi is not installed (test)" });
      let error: unknown;
      try {
        createInprocDriver(options);
      } catch (e) {
        error = e;
      }
      expect(isNsError(error, "ERR_NS_UNSUPPORTED")).toBe(true);
    } finally {
      vi.doUnmock("./libc.ts");
      vi.resetModules();
    }
  });

  it("never throws while probing, whatever the host", async () => {
    const { tryCreateInprocDriver } = await import("./index.ts");
    const r = tryCreateInprocDriver({ runner: createRecordingRunner(), netnsDir: "/run/netns" });
    expect(typeof r.reason).toBe("string");
    if (r.driver) expect(r.driver.netnsDir).toBe("/run/netns");
  });
});
