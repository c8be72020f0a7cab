import { describeBackendConformance } from "@ns/core/testing";
import { createLinuxBackend } from "./backend.ts";
import { describeKernel } from "./testing/kernel.ts";

describeKernel("linux backend on the kernel", (env) => {
  describeBackendConformance({
    name: "linux",
    createBackend: () => createLinuxBackend({ uplink: env.uplink }),
    uplink: env.uplink,
  });
});
