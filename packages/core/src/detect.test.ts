import { isNsError, NsError } from "@ns/types";
import { describe, expect, it } from "vitest";
import { chooseBackend, type HostFacts, linuxPrivileged, loadBackend, readHostFacts } from "./detect.ts";
import { createNamespaceManager } from "./manager.ts";
import { createFakeBackend } from "./testing/fake-backend.ts";

const NET_AND_SYS_ADMIN = (1n << 12n) | (1n << 21n);
const host = (over: Partial<HostFacts> = {}, tools = ["ip", "nft", "nsenter", "sandbox-exec", "pfctl"]) => ({
  platform: "linux" as NodeJS.Platform,
  uid: 0,
  capEff: NET_AND_SYS_ADMIN,
  has: (t: string) => tools.includes(t),
  ...over,
});

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e as NsError;
  }
  throw new Error("expected a failure");
}

describe("linuxPrivileged", () => {
  const ALL = (1n << 12n) | (1n << 21n);
  it("goes by effective capabilities when known, else by uid 0", () => {
    expect(linuxPrivileged({ uid: 1000, capEff: ALL })).toBe(true);
    expect(linuxPrivileged({ uid: 0, capEff: 1n << 12n })).toBe(false); // root in a restricted container
    expect(linuxPrivileged({ uid: 0, capEff: undefined })).toBe(true);
    expect(linuxPrivileged({ uid: 1000, capEff: undefined })).toBe(false);
  });
});

describe("chooseBackend", () => {
  it("prefers the option, then NS_BACKEND, and marks both explicit", () => {
    expect(chooseBackend("macos", { NS_BACKEND: "linux" }, host())).toEqual({
      name: "macos",
      reason: "requested by option",
      explicit: true,
      requestedBy: "option",
    });
    expect(chooseBackend("auto", { NS_BACKEND: "simulation" }, host())).toMatchObject({
      name: "simulation",
      reason: "requested by NS_BACKEND",
      explicit: true,
      requestedBy: "env",
    });
    expect(chooseBackend(undefined, { NS_BACKEND: "auto" }, host()).explicit).toBe(false);
  });

  it("rejects an unknown backend name", () => {
    try {
      chooseBackend(undefined, { NS_BACKEND: "bsd" }, host());
      throw new Error("accepted");
    } catch (e) {
      expect(isNsError(e, "ERR_NS_INVALID_CONFIG")).toBe(true);
    }
  });

  it("picks linux with CAP_NET_ADMIN+CAP_SYS_ADMIN and the tools", () => {
    expect(chooseBackend(undefined, {}, host())).toMatchObject({ name: "linux", explicit: false });
    expect(chooseBackend(undefined, {}, host({ uid: 1000 })).name).toBe("linux");
    expect(chooseBackend(undefined, {}, host({ capEff: undefined })).name).toBe("linux");
  });

  it("simulates on Linux without the capabilities, even as root, and says why", () => {
    const user = chooseBackend(undefined, {}, host({ uid: 1000, capEff: 0n }));
    expect(user).toMatchObject({ name: "simulation", reason: expect.stringMatching(/without root/) });
    const container = chooseBackend(undefined, {}, host({ capEff: 1n << 12n }));
    expect(container).toMatchObject({ name: "simulation", reason: expect.stringMatching(/restricted/) });
    expect(chooseBackend(undefined, {}, host({ uid: 1000, capEff: undefined })).name).toBe("simulation");
  });

  it("simulates on Linux when tools are missing, naming them", () => {
    const c = chooseBackend(undefined, {}, host({}, ["ip"]));
    expect(c).toMatchObject({ name: "simulation", reason: expect.stringMatching(/nft, nsenter missing/) });
  });

  it("picks macos as root with pfctl and sandbox-exec, and simulates otherwise", () => {
    expect(chooseBackend(undefined, {}, host({ platform: "darwin" })).name).toBe("macos");
    expect(chooseBackend(undefined, {}, host({ platform: "darwin", uid: 501 })).reason).toMatch(
      /pf needs root/,
    );
    const noPf = chooseBackend(undefined, {}, host({ platform: "darwin" }, ["sandbox-exec"]));
    expect(noPf).toMatchObject({ name: "simulation", reason: expect.stringMatching(/pfctl missing/) });
  });

  it("simulates on other platforms", () => {
    expect(chooseBackend(undefined, {}, host({ platform: "win32" })).reason).toMatch(/platform win32/);
  });
});

describe("readHostFacts", () => {
  it("reads this machine", () => {
    const f = readHostFacts();
    expect(f.platform).toBe(process.platform);
    expect(f.uid).toBe(process.getuid?.() ?? -1);
    expect(f.has("sh")).toBe(true);
    expect(f.has("no-such-tool-for-ns")).toBe(false);
    if (process.platform === "linux") expect(typeof f.capEff).toBe("bigint");
  });
});

describe("loadBackend", () => {
  const notFound = Object.assign(new Error("Cannot find package '@ns/linux'"), {
    code: "ERR_MODULE_NOT_FOUND",
  });

  it("creates the backend a package exports", async () => {
    const fake = createFakeBackend();
    let asked = "";
    let opts: unknown;
    const b = await loadBackend("simulation", { uplink: "u" }, async (s) => {
      asked = s;
      return {
        createBackend: (o: unknown) => {
          opts = o;
          return fake;
        },
      };
    });
    expect(b).toBe(fake);
    expect(asked).toBe("@ns/simulation");
    expect(opts).toEqual({ uplink: "u" });
  });

  it("names the missing package in ERR_NS_BACKEND_MISSING", async () => {
    const e = await failure(loadBackend("linux", {}, async () => Promise.reject(notFound)));
    expect(e.code).toBe("ERR_NS_BACKEND_MISSING");
    expect(e.message).toMatch(/@ns\/linux/);
    expect(e.hint).toMatch(/pnpm add @ns\/linux/);
    expect(e.details).toMatchObject({ backend: "linux", package: "@ns/linux" });
  });

  it("treats a package without createBackend as missing, and passes other import errors on", async () => {
    expect((await failure(loadBackend("macos", {}, async () => ({})))).code).toBe("ERR_NS_BACKEND_MISSING");
    const broken = new SyntaxError("bad code");
    expect(await failure(loadBackend("macos", {}, async () => Promise.reject(broken)))).toBe(broken);
  });

  it("loads the real simulation package by name", async () => {
    // Resolved through the workspace alias: core never imports it statically.
    const b = await loadBackend("simulation");
    expect(b.name).toBe("simulation");
  });
});

describe("backend selection in the manager", () => {
  const notFound = Object.assign(new Error("missing"), { code: "MODULE_NOT_FOUND" });
  const importer = (available: Record<string, () => unknown>) => async (s: string) => {
    const make = available[s];
    if (!make) throw notFound;
    return { createBackend: make };
  };

  it("falls back to simulation when the detected backend's package is missing, and says so", async () => {
    const sim = createFakeBackend();
    const manager = createNamespaceManager({
      env: {},
      hostFacts: host(),
      importBackend: importer({ "@ns/simulation": () => sim }),
    });
    const report = await manager.backendInfo();
    expect(report.name).toBe("simulation");
    expect(report.reason).toMatch(/CAP_NET_ADMIN.*not installed.*falling back to simulation/);
    expect(await manager.backend()).toBe(sim);
    await manager.close();
    expect(sim.closed).toBe(true);
  });

  it("does not fall back when the backend was asked for, or is installed but broken", async () => {
    const explicit = createNamespaceManager({ env: { NS_BACKEND: "linux" }, importBackend: importer({}) });
    expect((await failure(explicit.backend())).code).toBe("ERR_NS_BACKEND_MISSING");
    const broken = createNamespaceManager({
      env: {},
      hostFacts: host(),
      importBackend: importer({
        "@ns/linux": () => {
          throw new NsError("ERR_NS_PERMISSION", "no netlink");
        },
        "@ns/simulation": () => createFakeBackend(),
      }),
    });
    expect((await failure(broken.backend())).code).toBe("ERR_NS_PERMISSION");
  });

  it("retries loading after a failure", async () => {
    let fail = true;
    const fake = createFakeBackend();
    const manager = createNamespaceManager({
      backend: "simulation",
      importBackend: async () => {
        if (fail) throw notFound;
        return { createBackend: () => fake };
      },
    });
    expect((await failure(manager.backend())).code).toBe("ERR_NS_BACKEND_MISSING");
    await manager.close();
    fail = false;
    expect(await manager.backend()).toBe(fake);
    expect(await manager.backendInfo()).toMatchObject({
      reason: "requested by option",
      requestedBy: "option",
    });
  });

  it("explains a backend instance given by the caller", async () => {
    const manager = createNamespaceManager({ backend: createFakeBackend() });
    expect((await manager.backendInfo()).reason).toBe("backend instance given by the caller");
  });
});

describe("importFromCoreOrApp", () => {
  it("imports what core sees and rethrows not-found for what nobody has", async () => {
    const { importFromCoreOrApp } = await import("./detect.ts");
    expect(await importFromCoreOrApp("node:path")).toHaveProperty("join");
    await expect(importFromCoreOrApp("@ns/no-such-backend")).rejects.toMatchObject({
      code: "ERR_MODULE_NOT_FOUND",
    });
  });
});
