export type { FakeHost } from "./fake-host.ts";
export {
  createFakeHost,
  destroyFakeHost,
  FAKE_HOST_ADDR,
  FAKE_HOST_PREFIX,
  FAKE_METADATA_ADDR,
  FAKE_UPLINK,
  FAKE_UPSTREAM_ADDR,
  removeStaleFakeHosts,
  runInFakeHost,
} from "./fake-host.ts";
export type { KernelTestEnv } from "./kernel.ts";
export { assertInFakeHost, describeKernel, kernelTestEnv } from "./kernel.ts";
export type { TestServers } from "./probe.ts";
export { netnsPrefix, probeIcmp, probeTcp, probeUdp, startServers } from "./probe.ts";
export { runPackageTests } from "./run-tests.ts";
