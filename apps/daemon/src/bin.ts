#!/usr/bin/env node
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createNamespaceManager, createSqliteStore, defaultStateDir, STATE_DB_FILE } from "@ns/core";
import { isNsError } from "@ns/types";
import { startDaemon } from "./server.ts";

const HELP = `nsd — the ns daemon: one NamespaceManager behind a local JSON API

Usage: nsd [--listen PATH|127.0.0.1:PORT] [--state-dir DIR] [--backend auto|linux|macos|simulation] [--gc-interval S]

  --listen        unix socket (default STATE_DIR/nsd.sock, mode 0600) or a loopback host:port
  --state-dir     state directory shared with the ns CLI (default $NS_STATE_DIR, else /var/lib/ns as root, else the XDG state dir)
  --backend       backend (default auto; NS_BACKEND also works)
  --gc-interval   seconds between gc passes that reap namespaces of exited processes (default 5, 0 = off)

API (JSON): GET /v1/health, GET /v1/backend, GET|POST /v1/namespaces, GET|DELETE /v1/namespaces/ID,
GET /v1/namespaces/ID/stats, GET /v1/pids/PID, POST /v1/gc

Example: nsd --listen 127.0.0.1:7070 & curl -s 127.0.0.1:7070/v1/namespaces`;

async function main(): Promise<number> {
  let values: ReturnType<typeof parse>["values"];
  function parse() {
    return parseArgs({
      options: {
        listen: { type: "string" },
        "state-dir": { type: "string" },
        backend: { type: "string" },
        "gc-interval": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  }
  try {
    values = parse().values;
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const gc = values["gc-interval"] === undefined ? 5 : Number(values["gc-interval"]);
  if (!Number.isFinite(gc) || gc < 0) {
    process.stderr.write(`error: --gc-interval ${values["gc-interval"]} is not a number of seconds >= 0\n`);
    return 2;
  }
  // The store creates the directory (0700) when missing.
  const stateDir = values["state-dir"] ?? defaultStateDir();
  const manager = createNamespaceManager({
    backend: (values.backend ?? "auto") as "auto",
    store: createSqliteStore({ path: join(stateDir, STATE_DB_FILE) }),
  });
  try {
    const info = await manager.backendInfo();
    const daemon = await startDaemon({
      manager,
      listen: values.listen ?? join(stateDir, "nsd.sock"),
      gcIntervalS: gc,
      onGc: (r) =>
        process.stderr.write(`gc: ${JSON.stringify({ ...r, errors: r.errors.map((e) => e.message) })}\n`),
    });
    process.stderr.write(`nsd listening on ${daemon.address} (backend ${info.name}: ${info.reason})\n`);
    await new Promise<void>((resolve) => {
      for (const s of ["SIGINT", "SIGTERM"] as const) process.once(s, () => resolve());
    });
    await daemon.close();
    await manager.close();
    return 0;
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    if (isNsError(e) && e.hint) process.stderr.write(`hint: ${e.hint}\n`);
    await manager.close().catch(() => undefined);
    return 1;
  }
}

main().then((code) => process.exit(code));
