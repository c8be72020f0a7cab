import { type ChildProcess, fork } from "node:child_process";

/** Forks a TypeScript worker under tsx (sources resolved by the `source` condition), with an IPC channel. */
export function forkTsxWorker(
  file: string,
  args: readonly string[],
  cwd: string,
  detached = false,
): ChildProcess {
  return fork(file, [...args], {
    cwd,
    detached,
    execArgv: ["--conditions=source", "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

/** The worker's next message, or a rejection when it exits first: a crashed worker fails a test, never hangs it. */
export function nextMessage<T = unknown>(child: ChildProcess): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`worker ${child.pid} exited (${code}) before answering`));
    child.once("exit", onExit);
    child.once("message", (m) => {
      child.off("exit", onExit);
      resolve(m as T);
    });
  });
}
