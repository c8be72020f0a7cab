export type { ApiRequest, ApiResponse } from "./routes.ts";
export { route, statusOf } from "./routes.ts";
export type { Daemon, DaemonOptions } from "./server.ts";
export { startDaemon } from "./server.ts";
