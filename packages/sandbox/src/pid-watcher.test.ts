import { afterEach, describe, expect, it, vi } from "vitest";
import { createPidWatcher, type ProcessProbe } from "./pid-watcher.ts";

function fakeProbe() {
  const starts = new Map<number, string>();
  const probe: ProcessProbe = {
    startTime: (pid) => starts.get(pid),
    alive: (pid, start) => starts.has(pid) && (start === undefined || starts.get(pid) === start),
  };
  return { starts, probe };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("pid watcher", () => {
  it("calls back once when the process exits", () => {
    vi.useFakeTimers();
    const { starts, probe } = fakeProbe();
    starts.set(100, "5");
    const w = createPidWatcher({ probe, intervalMs: 100 });
    const onExit = vi.fn();
    w.watch(100, onExit);
    vi.advanceTimersByTime(300);
    expect(onExit).not.toHaveBeenCalled();
    starts.delete(100);
    vi.advanceTimersByTime(300);
    expect(onExit).toHaveBeenCalledTimes(1);
  });

  it("counts a reused pid (other start time) as the watched process having exited", () => {
    vi.useFakeTimers();
    const { starts, probe } = fakeProbe();
    starts.set(100, "5");
    const w = createPidWatcher({ probe, intervalMs: 100 });
    const first = vi.fn();
    w.watch(100, first);
    starts.set(100, "9"); // exited, and a new process got the same pid
    const second = vi.fn();
    w.watch(100, second);
    vi.advanceTimersByTime(150);
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).not.toHaveBeenCalled();
    w.close();
  });

  it("runs a timer only while something is watched, so Node can exit", () => {
    vi.useFakeTimers();
    const { starts, probe } = fakeProbe();
    starts.set(1, "1");
    const w = createPidWatcher({ probe, intervalMs: 100 });
    expect(vi.getTimerCount()).toBe(0);
    const stop = w.watch(1, () => {});
    expect(vi.getTimerCount()).toBe(1);
    stop();
    expect(vi.getTimerCount()).toBe(0);
    w.watch(1, () => {});
    starts.delete(1);
    vi.advanceTimersByTime(100);
    expect(w.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
