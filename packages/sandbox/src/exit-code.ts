import { constants } from "node:os";

/** Shell convention: the exit code, or 128 + the signal number when the process was killed by a signal. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal !== null) return 128 + (constants.signals[signal] ?? 0);
  return code ?? 1;
}
