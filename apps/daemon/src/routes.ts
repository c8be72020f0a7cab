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

/** Routes one request to the manager. Paths: /v1/health, /v1/backend, /v1/namespaces[/ID[/stats]], /v1/gc. */
export async function route(manager: NamespaceManager, req: ApiRequest): Promise<ApiResponse> {
  try {
    const { method, path } = req;
    let m: RegExpExecArray | null;
    if (method === "GET" && path === "/v1/health") return { status: 200, body: { ok: true } };
    if (method === "GET" && path === "/v1/backend") return { status: 200, body: await manager.backendInfo() };
    if (method === "GET" && path === "/v1/namespaces") return { status: 200, body: await manager.list() };
    if (method === "POST" && path === "/v1/namespaces") return { status: 201, body: await manager.create(req.body as never) };
    if (method === "POST" && path === "/v1/gc") {
      const r = await manager.gc();
      return { status: 200, body: { ...r, errors: r.errors.map((e) => e.toJSON()) } };
    }
    if ((m = new RegExp(`^/v1/namespaces/${ID}$`).exec(path))) {
      if (method === "GET") return { status: 200, body: await manager.getInfo(m[1]!) };
      if (method === "DELETE") {
        await manager.destroy(m[1]!);
        return { status: 204, body: null };
      }
    }
    if (method === "GET" && (m = new RegExp(`^/v1/namespaces/${ID}/stats$`).exec(path)))
      return { status: 200, body: await manager.getStats(m[1]!) };
    if (method === "GET" && (m = /^\/v1\/pids\/(\d+)$/.exec(path))) return { status: 200, body: await manager.getByPid(Number(m[1])) };
    throw new NsError("ERR_NS_NOT_FOUND", `no route ${method} ${path}`, { hint: "see apps/daemon/README.md for the API" });
  } catch (e) {
    const err = isNsError(e) ? e : toNsError(e);
    return { status: statusOf(err.code), body: { error: err.toJSON() } };
  }
}
