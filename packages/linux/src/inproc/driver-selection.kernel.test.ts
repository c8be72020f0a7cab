import { createRecordingRunner } from "@ns/core";
import { expect, it } from "vitest";
import { createLinuxBackend } from "../backend.ts";
import { describeKernel } from "../testing/kernel.ts";

describeKernel("kernel driver selection", (env) => {
  it("uses the in-process driver by default, the process driver when asked or when a runner is injected", () => {
    const forced = process.env.NS_LINUX_DRIVER === "process";
    expect(createLinuxBackend({ uplink: env.uplink }).driverReason).toMatch(
      forced ? /NS_LINUX_DRIVER/ : /in-process/,
    );
    expect(createLinuxBackend({ uplink: env.uplink, runner: createRecordingRunner() }).driverReason).toMatch(
      /runner or file layer was injected/,
    );
  });
});
