import { afterEach, describe, expect, it, vi } from "vitest";
import { startPeriodicTask } from "./periodic-task.js";

afterEach(() => {
  vi.useRealTimers();
});

const quiet = { onError: () => {} };

describe("startPeriodicTask", () => {
  it("runs at once, then an interval after each run ends", async () => {
    vi.useFakeTimers();
    const started: number[] = [];
    const task = startPeriodicTask(
      async () => {
        started.push(Date.now());
        await new Promise((r) => setTimeout(r, 300));
      },
      { intervalMs: 1_000, ...quiet },
    );
    const t0 = Date.now();
    expect(started).toEqual([t0]);
    await vi.advanceTimersByTimeAsync(2_700);
    // 0–300 runs, 1300 next, 1600 ends, 2600 next: never overlapping, never bunched up.
    expect(started.map((t) => t - t0)).toEqual([0, 1_300, 2_600]);
    const stopped = task.stop();
    await vi.advanceTimersByTimeAsync(300);
    await stopped;
  });

  it("waits firstRunAfterMs before the first run when asked", async () => {
    vi.useFakeTimers();
    const run = vi.fn(async () => {});
    const task = startPeriodicTask(run, { intervalMs: 100, firstRunAfterMs: 500, ...quiet });
    await vi.advanceTimersByTimeAsync(499);
    expect(run).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledOnce();
    await task.stop();
  });

  it("reports a failed run and keeps the schedule", async () => {
    vi.useFakeTimers();
    const onError = vi.fn();
    const run = vi.fn().mockRejectedValueOnce(new Error("database away")).mockResolvedValue(undefined);
    const task = startPeriodicTask(run, { intervalMs: 100, onError });
    await vi.advanceTimersByTimeAsync(250);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: "database away" }));
    expect(run).toHaveBeenCalledTimes(3);
    await task.stop();
  });

  it("stop signals the run in flight, waits for it, and runs nothing more", async () => {
    vi.useFakeTimers();
    let finish = () => {};
    let signal: AbortSignal | undefined;
    const run = vi.fn(
      (stopping: AbortSignal) =>
        new Promise<void>((resolve) => {
          signal = stopping;
          finish = resolve;
        }),
    );
    const task = startPeriodicTask(run, { intervalMs: 100, ...quiet });
    let stopped = false;
    const stopping = task.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(signal?.aborted).toBe(true);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(run).toHaveBeenCalledOnce();
  });
});
