import { connect } from "node:net";
import { FAKE } from "./fake-host.ts";
import { startDaemon } from "./proc.ts";
import { FORWARD } from "./scripts.ts";
import { now } from "./stats.ts";

/** Tries TCP connects until one succeeds or the deadline passes; true when a server answered. */
export async function probeUntil(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port });
      const t = setTimeout(() => {
        s.destroy();
        resolve(false);
      }, 200);
      s.once("connect", () => {
        clearTimeout(t);
        s.destroy();
        resolve(true);
      });
      s.once("error", () => {
        clearTimeout(t);
        resolve(false);
      });
    });
    if (ok) return true;
    await new Promise((r) => setImmediate(r));
  }
  return false;
}

/** A namespace ready to be probed: how to run a command in it, and its address. */
export interface Probeable {
  enter: string[];
  nsAddr: string;
}

/** Result of one usable-time measurement. */
export interface UsableSample {
  ms: number;
  /** "forward" when the host port answered, "direct" when only the namespace address did. */
  via: "forward" | "direct" | "failed";
}

/**
 * Time from the start of create until a TCP connect to the forwarded host port is answered by a
 * server started inside the namespace right after create (iperf3 -s, a small C program).
 */
export async function timeUsable(
  create: () => Promise<Probeable>,
  destroy: () => Promise<void>,
): Promise<UsableSample> {
  const t0 = now();
  const ns = await create();
  const [cmd, ...args] = [...ns.enter, "iperf3", "-s", "-1", "-p", String(FORWARD.nsPort)];
  const server = startDaemon(cmd!, args);
  try {
    if (await probeUntil(FAKE.hostAddr, FORWARD.hostPort, 2000)) return { ms: now() - t0, via: "forward" };
    if (await probeUntil(ns.nsAddr, FORWARD.nsPort, 500)) return { ms: now() - t0, via: "direct" };
    return { ms: Number.NaN, via: "failed" };
  } finally {
    await server.stop();
    await destroy();
  }
}
