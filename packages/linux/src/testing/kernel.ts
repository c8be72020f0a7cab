import { execFileSync } from "node:child_process";
import { describe, it } from "vitest";
import { currentNetnsId, netnsIdOfPath } from "../host-netns.ts";

/** What the fake-host harness tells the kernel tests. */
export interface KernelTestEnv {
  fakeHost: string;
  upstreamNs: string;
  uplink: string;
  hostAddr: string;
  upstreamAddr: string;
  metadataAddr: string;
}

/** The harness environment, or undefined when not running inside a fake host. */
export function kernelTestEnv(
  env: Record<string, string | undefined> = process.env,
): KernelTestEnv | undefined {
  if (!env.NS_TEST_FAKEHOST) return undefined;
  return {
    fakeHost: env.NS_TEST_FAKEHOST,
    upstreamNs: env.NS_TEST_UPSTREAM_NS ?? "",
    uplink: env.NS_TEST_UPLINK ?? "uplink0",
    hostAddr: env.NS_TEST_HOST_ADDR ?? "203.0.113.2",
    upstreamAddr: env.NS_TEST_UPSTREAM_ADDR ?? "203.0.113.1",
    metadataAddr: env.NS_TEST_METADATA_ADDR ?? "169.254.169.254",
  };
}

/** Throws unless this process runs in the fake host: its netns is the harness's, and no real eth0 is visible. */
export function assertInFakeHost(env: KernelTestEnv): void {
  const mine = currentNetnsId();
  const fake = netnsIdOfPath(`/run/netns/${env.fakeHost}`);
  if (fake === undefined || fake !== mine)
    throw new Error(`refusing to run kernel tests: this process is not inside fake host ${env.fakeHost}`);
  let json = "[]";
  try {
    json = execFileSync("ip", ["-j", "addr", "show", "dev", "eth0"], { encoding: "utf8", stdio: "pipe" });
  } catch {
    return; // no eth0 here: as expected
  }
  const addrs = (JSON.parse(json || "[]") as { addr_info?: { local?: string }[] }[]).flatMap((l) =>
    (l.addr_info ?? []).map((a) => a.local ?? ""),
  );
  const real = addrs.filter((a) => !a.startsWith("203.0.113.") && !a.startsWith("fe80:"));
  if (real.length > 0)
    throw new Error(`refusing to run kernel tests: eth0 with real addresses ${real.join(", ")} is visible`);
}

/**
 * describe() for tests that change the kernel: real inside the fake host; a failing test in CI without it
 * (CI is root, so a silent skip would hide a broken harness); skipped with a message locally without root.
 */
export function describeKernel(name: string, fn: (env: KernelTestEnv) => void): void {
  const env = kernelTestEnv();
  if (env) {
    assertInFakeHost(env);
    describe(name, () => fn(env));
  } else if (process.env.CI) {
    describe(name, () => {
      it("runs inside the fake host", () => {
        throw new Error(
          "kernel tests must run inside the fake host in CI: use `npm test` as root (scripts/run-tests.ts)",
        );
      });
    });
  } else {
    describe.skip(`${name} (skipped: needs root; \`npm test\` as root runs it in a fake host)`, () => {
      it("needs the fake host", () => {});
    });
  }
}
