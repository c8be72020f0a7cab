import { createExecRunner } from "@ns/core";
import { describeBackendConformance } from "@ns/core/testing";
import { createLinuxBackend } from "../backend.ts";
import { DEFAULT_NETNS_DIR } from "../names.ts";
import { describeKernel } from "../testing/kernel.ts";
import { createInprocDriver } from "./index.ts";

describeKernel("linux backend with the in-process driver on the kernel", (env) => {
  describeBackendConformance({
    name: "linux (in-process driver)",
    createBackend: () =>
      createLinuxBackend({
        uplink: env.uplink,
        driver: createInprocDriver({ runner: createExecRunner(), netnsDir: DEFAULT_NETNS_DIR }),
      }),
    uplink: env.uplink,
  });
});
