export type { CliIo, GlobalOptions } from "./context.ts";
export { BACKEND_CHOICES } from "./context.ts";
export { EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitCodeFor } from "./errors.ts";
export type { NamespaceOptions } from "./parse.ts";
export { buildConfig, parseForward } from "./parse.ts";
export { buildProgram, runCli } from "./program.ts";
