import { chmodSync, existsSync, unlinkSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { NamespaceManager } from "@ns/core";
import { route } from "./routes.ts";

/** Options of the daemon. */
export interface DaemonOptions {
  /** The manager it serves (share its store with the CLI: the SQLite store). */
  manager: NamespaceManager;
  /** Unix socket path (mode 0600) or `host:port` on loopback. */
  listen: string;
  /** Seconds between gc passes (reaps namespaces of exited pids and crash leftovers); 0 disables. */
  gcIntervalS?: number;
  /** Called with each gc report that removed something or failed. */
  onGc?: (report: Awaited<ReturnType<NamespaceManager["gc"]>>) => void;
}

/** A running daemon. */
export interface Daemon {
  /** The HTTP server. */
  server: Server;
  /** Where it listens. */
  address: string;
  /** Stops serving and the gc timer. */
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new Error("request body too large");
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  return text.length === 0 ? undefined : JSON.parse(text);
}

/** Starts nsd: a JSON API over a unix socket (or loopback TCP) around one NamespaceManager. */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { manager } = options;
  const server = createServer(async (req, res) => {
    let body: unknown;
    try {
      body = await readBody(req);
    } catch (e) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ error: { code: "ERR_NS_INVALID_CONFIG", message: String((e as Error).message) } }),
      );
      return;
    }
    const out = await route(manager, {
      method: req.method ?? "GET",
      path: (req.url ?? "/").split("?")[0]!,
      body,
    });
    res.writeHead(out.status, { "content-type": "application/json" });
    res.end(out.status === 204 ? undefined : JSON.stringify(out.body));
  });
  const tcp = /^(127\.0\.0\.1|localhost|\[::1\]):(\d+)$/.exec(options.listen);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (tcp) server.listen(Number(tcp[2]), tcp[1]!.replace(/^\[|\]$/g, ""), resolve);
    else {
      // A stale socket of a dead daemon blocks listen(); ours to remove.
      if (existsSync(options.listen)) unlinkSync(options.listen);
      server.listen(options.listen, () => {
        chmodSync(options.listen, 0o600);
        resolve();
      });
    }
  });
  const addr = server.address();
  const address = typeof addr === "string" ? addr : `${addr?.address}:${addr?.port}`;
  const interval = options.gcIntervalS ?? 5;
  const timer =
    interval > 0
      ? setInterval(() => {
          manager
            .gc()
            .then((r) => {
              if (r.removedRecords.length + r.removedObjects.length + r.errors.length > 0) options.onGc?.(r);
            })
            .catch(() => undefined);
        }, interval * 1000)
      : undefined;
  timer?.unref();
  return {
    server,
    address,
    async close() {
      if (timer) clearInterval(timer);
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
