import type { NamespaceManager } from "@ns/core";
import { isNsError, NsError, toNsError } from "@ns/types";

/** A parsed request as the router sees it. */
export interface ApiRequest {
  method: string;
  path: string;
  body: unknown;
}

/** A response: status and JSON body. */
export interface ApiResponse {
  status: number;
  body: unknown;
}

/** HTTP status for an NsError code; only the apps map codes to statuses or exit codes. */
export function statusOf(code: string): number {
  switch (code) {
    case "ERR_NS_INVALID_CONFIG":
      return 400;
    case "ERR_NS_NOT_FOUND":
      return 404;
    case "ERR_NS_EXISTS":
    case "ERR_NS_ADDRESS_IN_USE":
    case "ERR_NS_PORT_IN_USE":
    case "ERR_NS_NAME_IN_USE":
      return 409;
    case "ERR_NS_POOL_EXHAUSTED":
      return 507;
    case "ERR_NS_UNSUPPORTED":
    case "ERR_NS_BACKEND_MISSING":
      return 501;
    case "ERR_NS_PERMISSION":
    case "ERR_NS_CAPABILITY_DENIED":
      return 403;
    default:
      return 500;
  }
}

const ID = "([a-z0-9][a-z0-9_-]*)";
const NS_PATH = new RegExp(`^/v1/namespaces/${ID}$`);
const STATS_PATH = new RegExp(`^/v1/namespaces/${ID}/stats$`);
const PID_PATH = /^\/v1\/pids\/(\d+)$/;

/** Routes one request to the manager. Paths: /v1/health, /v1/backend, /v1/namespaces[/ID[/stats]], /v1/gc. */
export async function route(manager: NamespaceManager, req: ApiRequest): Promise<ApiResponse> {
  try {
    const { method, path } = req;
    if (method === "GET" && path === "/v1/health") return { status: 200, body: { ok: true } };
    if (method === "GET" && path === "/v1/backend") return { status: 200, body: await manager.backendInfo() };
    if (method === "GET" && path === "/v1/namespaces") return { status: 200, body: await manager.list() };
    if (method === "POST" && path === "/v1/namespaces")
      return { status: 201, body: await manager.create(req.body as never) };
    if (method === "POST" && path === "/v1/gc") {
      const r = await manager.gc();
      return { status: 200, body: { ...r, errors: r.errors.map((e) => e.toJSON()) } };
    }
    const one = NS_PATH.exec(path)?.[1];
    if (one !== undefined && method === "GET") return { status: 200, body: await manager.getInfo(one) };
    if (one !== undefined && method === "DELETE") {
      await manager.destroy(one);
      return { status: 204, body: null };
    }
    const stats = STATS_PATH.exec(path)?.[1];
    if (stats !== undefined && method === "GET") return { status: 200, body: await manager.getStats(stats) };
    const pid = PID_PATH.exec(path)?.[1];
    if (pid !== undefined && method === "GET")
      return { status: 200, body: await manager.getByPid(Number(pid)) };
    throw new NsError("ERR_NS_NOT_FOUND", `no route ${method} ${path}`, {
      hint: "see apps/daemon/README.md for the API",
    });
  } catch (e) {
    const err = isNsError(e) ? e : toNsError(e);
    return { status: statusOf(err.code), body: { error: err.toJSON() } };
  }
}
