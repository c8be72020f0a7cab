import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNamespaceManager } from "@ns/core";
import { createSimulationBackend } from "@ns/simulation";
import { NamespaceConfig } from "@ns/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { statusOf } from "./routes.ts";
import { type Daemon, startDaemon } from "./server.ts";

function call(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: the assertions check the JSON bodies
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, method, path, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe("nsd", () => {
  let dir: string;
  let daemon: Daemon;
  let sock: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "nsd-test-"));
    sock = join(dir, "nsd.sock");
    const manager = createNamespaceManager({ backend: createSimulationBackend() });
    daemon = await startDaemon({ manager, listen: sock, gcIntervalS: 0 });
  });
  afterEach(async () => {
    await daemon.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates, lists, inspects and destroys namespaces over its socket", async () => {
    expect((await call(sock, "GET", "/v1/health")).body).toEqual({ ok: true });
    const config = NamespaceConfig.privateNetwork(process.pid, { id: "api-one" });
    const created = await call(sock, "POST", "/v1/namespaces", config);
    expect(created.status).toBe(201);
    expect(created.body.interface.ipAddr).toBe("10.200.0.2");
    expect((await call(sock, "GET", "/v1/namespaces")).body).toHaveLength(1);
    expect((await call(sock, "GET", "/v1/namespaces/api-one")).body.id).toBe("api-one");
    expect((await call(sock, "GET", "/v1/namespaces/api-one/stats")).body.id).toBe("api-one");
    expect((await call(sock, "GET", `/v1/pids/${process.pid}`)).body.id).toBe("api-one");
    expect((await call(sock, "GET", "/v1/backend")).body.name).toBe("simulation");
    expect((await call(sock, "DELETE", "/v1/namespaces/api-one")).status).toBe(204);
    expect((await call(sock, "GET", "/v1/namespaces/api-one")).status).toBe(404);
    expect((await call(sock, "POST", "/v1/gc")).body.errors).toEqual([]);
  });

  it("answers invalid configs with 400 and every issue", async () => {
    const bad = await call(sock, "POST", "/v1/namespaces", {
      id: "x",
      mode: "full",
      portForwards: [{ hostPort: 0 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("ERR_NS_INVALID_CONFIG");
    expect(bad.body.error.details.issues.length).toBeGreaterThan(1);
    expect((await call(sock, "GET", "/v1/nothing")).status).toBe(404);
  });

  it("maps error codes to HTTP statuses", () => {
    expect(statusOf("ERR_NS_PORT_IN_USE")).toBe(409);
    expect(statusOf("ERR_NS_UNSUPPORTED")).toBe(501);
    expect(statusOf("ERR_NS_INTERNAL")).toBe(500);
  });
});
