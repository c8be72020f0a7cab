import { createRecordingRunner } from "@ns/core";
import { isNsError } from "@ns/types";
import { describe, expect, it } from "vitest";
import { buildInprocDriver } from "./driver.ts";
import type { LibC, LibNftables } from "./libc.ts";
import { NL } from "./netlink-encode.ts";
import type { NetnsSwitcher } from "./netns-ops.ts";

/** A kernel stand-in: answers every request with an ACK, an errno chosen by `fail`, or an ifindex. */
function fakeKernel(fail: (type: number, n: number) => number = () => 0) {
  const sent: { type: number; flags: number }[] = [];
  let reply: Buffer | undefined;
  let errno = 0;
  const answer = (seq: number, err: number, index?: number) => {
    const b = Buffer.alloc(index === undefined ? 36 : 32);
    b.writeUInt32LE(b.length, 0);
    b.writeUInt16LE(index === undefined ? NL.NLMSG_ERROR : NL.RTM_NEWLINK, 4);
    b.writeUInt32LE(seq, 8);
    if (index === undefined) b.writeInt32LE(-err, 16);
    else b.writeInt32LE(index, 20);
    return b;
  };
  const libc: LibC = {
    unshare: () => 0,
    setns: () => 0,
    mount: () => 0,
    umount2: () => 0,
    flock: () => 0,
    socket: () => 100,
    setsockopt: () => 0,
    sendtoAsync: async (...a) => libc.sendto(...a),
    sendto(_fd, buf) {
      const type = buf.readUInt16LE(4);
      sent.push({ type, flags: buf.readUInt16LE(6) });
      const seq = buf.readUInt32LE(8);
      const err = fail(type, sent.length);
      reply = type === NL.RTM_GETLINK && err === 0 ? answer(seq, 0, 7) : answer(seq, err);
      return buf.length;
    },
    recv(_fd, buf) {
      if (!reply) {
        errno = 11;
        return -1;
      }
      reply.copy(buf);
      const n = reply.length;
      reply = undefined;
      return n;
    },
    close: () => 0,
    gettid: () => process.pid,
    strerror: (e) => `strerror ${e}`,
    errno: () => errno,
  };
  return { libc, sent };
}

function fakeSwitcher(broken?: string) {
  const calls: string[] = [];
  const switcher: NetnsSwitcher = {
    within: (path, fn) => {
      calls.push(`within ${path}`);
      return fn();
    },
    add: (path) => void calls.push(`add ${path}`),
    remove: (path) => void calls.push(`remove ${path}`),
    broken: () => broken,
  };
  return { switcher, calls };
}

function fakeNft(rc = 0, err = "") {
  const scripts: string[] = [];
  const nft: LibNftables = {
    ctxNew: () => ({}),
    ctxFree: () => undefined,
    bufferOutput: () => 0,
    bufferError: () => 0,
    setOutputFlags: () => undefined,
    runCmd: (_c, s) => {
      scripts.push(s);
      return rc;
    },
    runCmdAsync: async (_c, s) => {
      scripts.push(s);
      return rc;
    },
    outputBuffer: () => "",
    errorBuffer: () => err,
  };
  return { nft, scripts };
}

function setup(o: { fail?: (type: number, n: number) => number; shared?: boolean; broken?: string } = {}) {
  const kernel = fakeKernel(o.fail);
  const sw = fakeSwitcher(o.broken);
  const nft = fakeNft();
  const runner = createRecordingRunner();
  const driver = buildInprocDriver(
    { libc: kernel.libc, nft: nft.nft, switcher: sw.switcher, sharedMount: () => o.shared ?? true },
    { runner, netnsDir: "/run/netns" },
  );
  return { driver, runner, kernel, sw, nft };
}

const nsBatch = [
  "link set lo up",
  "link set eth0 addrgenmode none",
  "addr add 10.200.0.2/30 dev eth0",
  "link set eth0 up",
  "route add default via 10.200.0.1",
];

describe("in-process driver", () => {
  it("applies a namespace batch over netlink opened inside the netns, without any process", async () => {
    const { driver, runner, kernel, sw } = setup();
    const r = await driver.ipBatch(nsBatch, { netns: "nsx-a" });
    expect(r.exitCode).toBe(0);
    expect(runner.calls).toEqual([]);
    expect(sw.calls).toEqual(["within /run/netns/nsx-a"]);
    expect(kernel.sent.map((m) => m.type)).toEqual([
      NL.RTM_NEWLINK,
      NL.RTM_NEWLINK,
      NL.RTM_GETLINK,
      NL.RTM_NEWADDR,
      NL.RTM_NEWLINK,
      NL.RTM_NEWROUTE,
    ]);
    expect(driver.stats).toMatchObject({ inprocBatches: 1, delegatedBatches: 0 });
  });

  it("creates and deletes named namespaces itself once the netns dir is a shared mount", async () => {
    const { driver, runner, sw } = setup();
    await driver.ipBatch(["netns add nsx-a", "netns del nsx-b"]);
    expect(sw.calls).toEqual(["add /run/netns/nsx-a", "remove /run/netns/nsx-b"]);
    expect(runner.calls).toEqual([]);
  });

  it("leaves the first netns add to ip while the netns dir is not a shared mount yet", async () => {
    const { driver, runner, sw } = setup({ shared: false });
    await driver.ipBatch(["netns add nsx-a", "link set lo up"]);
    expect(sw.calls).toEqual([]);
    expect(runner.lines()).toEqual(["ip -batch -\nnetns add nsx-a\nlink set lo up"]);
  });

  it("delegates a whole batch with a line outside its subset, and netns verbs inside a netns", async () => {
    const { driver, runner, kernel } = setup();
    await driver.ipBatch(["link set lo up", "addr add fd00::1/64 dev lo"]);
    await driver.ipBatch(["netns del nsx-x"], { netns: "nsx-a", force: true });
    expect(kernel.sent).toEqual([]);
    expect(runner.lines()).toEqual([
      "ip -batch -\nlink set lo up\naddr add fd00::1/64 dev lo",
      "nsenter --net=/run/netns/nsx-a -- ip -force -batch -\nnetns del nsx-x",
    ]);
    expect(driver.stats.delegatedBatches).toBe(2);
  });

  it("maps errnos to the codes the process driver gives and stops at the first failure", async () => {
    const cases: [number, string][] = [
      [17, "ERR_NS_NAME_IN_USE"],
      [1, "ERR_NS_PERMISSION"],
      [13, "ERR_NS_PERMISSION"],
      [19, "ERR_NS_COMMAND_FAILED"],
      [22, "ERR_NS_COMMAND_FAILED"],
    ];
    for (const [errno, code] of cases) {
      const { driver, kernel } = setup({ fail: (_t, n) => (n === 1 ? errno : 0) });
      const e = await driver.ipBatch(["link set lo up", "link set eth0 up"]).catch((x: unknown) => x);
      expect(isNsError(e, code as never), `${errno}`).toBe(true);
      expect((e as { details: Record<string, unknown> }).details).toMatchObject({
        errno,
        line: "link set lo up",
      });
      expect(kernel.sent).toHaveLength(1);
    }
  });

  it("with force keeps going and reports every failed line like ip -force", async () => {
    const { driver, kernel } = setup({ fail: (type) => (type === NL.RTM_DELLINK ? 19 : 0) });
    const r = await driver.ipBatch(["link del nsv1", "link set lo up", "link del nsv2"], { force: true });
    expect(kernel.sent).toHaveLength(3);
    expect(r.exitCode).toBe(1);
    expect(r.args).toEqual(["-force", "-batch", "-"]);
    expect(r.stderr).toBe(
      'Cannot find device "nsv1"\nCommand failed -:1\nCannot find device "nsv2"\nCommand failed -:3\n',
    );
  });

  it("runs nft scripts through libnftables and classifies its errors like nft's stderr", async () => {
    const { driver, nft } = setup();
    await driver.nft("add table inet nsx\n");
    expect(nft.scripts).toEqual(["add table inet nsx\n"]);
    const failing = buildInprocDriver(
      {
        libc: fakeKernel().libc,
        nft: fakeNft(1, "Error: Could not process rule: File exists\n").nft,
        switcher: fakeSwitcher().switcher,
      },
      { runner: createRecordingRunner(), netnsDir: "/run/netns" },
    );
    await expect(failing.nft("add element inet nsx s { 1 }\n")).rejects.toMatchObject({
      code: "ERR_NS_NAME_IN_USE",
    });
    await expect(failing.nftListTable("inet", "nsx")).rejects.toMatchObject({ code: "ERR_NS_NAME_IN_USE" });
    const missing = buildInprocDriver(
      {
        libc: fakeKernel().libc,
        nft: fakeNft(1, "Error: No such file or directory\n").nft,
        switcher: fakeSwitcher().switcher,
      },
      { runner: createRecordingRunner(), netnsDir: "/run/netns" },
    );
    expect(await missing.nftListTable("inet", "nsx")).toBeUndefined();
  });

  it("refuses all work once the main thread could not be returned to its netns", async () => {
    const { driver } = setup({ broken: "setns back failed" });
    await expect(driver.ipBatch(["link set lo up"])).rejects.toMatchObject({ code: "ERR_NS_INTERNAL" });
    await expect(driver.nft("list tables\n")).rejects.toMatchObject({ code: "ERR_NS_INTERNAL" });
  });
});
