import { processAlive, processStartTime } from "@ns/core";

/** How the watcher learns about processes; injectable so tests can simulate exit and pid reuse. */
export interface ProcessProbe {
  /** Start time of a pid (undefined when unknown, e.g. not Linux). */
  startTime(pid: number): string | undefined;
  /** Whether the pid still runs and, when given, started at `startTime`. */
  alive(pid: number, startTime?: string): boolean;
}

/** The real /proc based probe from @ns/core. */
export const realProcessProbe: ProcessProbe = { startTime: processStartTime, alive: processAlive };

/** Options of createPidWatcher. */
export interface PidWatcherOptions {
  /** Poll interval in milliseconds (default 500). */
  intervalMs?: number;
  /** Process probe (default: /proc). */
  probe?: ProcessProbe;
}

/** Calls back once when a watched process exits; polls only while something is watched. */
export interface PidWatcher {
  /** Watches `pid` (as it is now: its start time is recorded so a reused pid counts as exited); returns a function that stops watching. */
  watch(pid: number, onExit: () => void, startTime?: string): () => void;
  /** Number of watched entries. */
  readonly size: number;
  /** Stops every watch and the timer. */
  close(): void;
}

interface Entry {
  pid: number;
  startTime: string | undefined;
  onExit: () => void;
}

/** Creates a watcher whose timer runs only while an entry exists, so it never keeps Node alive needlessly. */
export function createPidWatcher(options: PidWatcherOptions = {}): PidWatcher {
  const probe = options.probe ?? realProcessProbe;
  const intervalMs = options.intervalMs ?? 500;
  const entries = new Set<Entry>();
  let timer: NodeJS.Timeout | undefined;

  const stopTimerIfIdle = () => {
    if (entries.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  const tick = () => {
    for (const e of [...entries]) {
      if (probe.alive(e.pid, e.startTime)) continue;
      entries.delete(e);
      e.onExit();
    }
    stopTimerIfIdle();
  };

  return {
    watch(pid, onExit, startTime = probe.startTime(pid)) {
      const entry: Entry = { pid, startTime, onExit };
      entries.add(entry);
      timer ??= setInterval(tick, intervalMs);
      return () => {
        entries.delete(entry);
        stopTimerIfIdle();
      };
    },
    get size() {
      return entries.size;
    },
    close() {
      entries.clear();
      stopTimerIfIdle();
    },
  };
}
