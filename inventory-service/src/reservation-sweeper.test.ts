import { testLogger } from "@checkout-saga/shared/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startReservationSweeper } from "./reservation-sweeper.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("startReservationSweeper", () => {
  it("expires in batches until a batch comes back short, once per interval", async () => {
    vi.useFakeTimers();
    const results = [2, 2, 1, 0];
    const expireDue = vi.fn(async (limit: number) => {
      expect(limit).toBe(2);
      return results.shift() ?? 0;
    });
    const sweeper = startReservationSweeper({
      inventory: { expireDue },
      intervalMs: 1_000,
      logger: testLogger(),
      batchSize: 2,
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(expireDue).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(expireDue).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(expireDue).toHaveBeenCalledTimes(4);
    await sweeper.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(expireDue).toHaveBeenCalledTimes(4);
  });

  it("keeps sweeping after a failed run", async () => {
    vi.useFakeTimers();
    const expireDue = vi.fn().mockRejectedValueOnce(new Error("connection reset")).mockResolvedValue(0);
    const sweeper = startReservationSweeper({ inventory: { expireDue }, intervalMs: 100, logger: testLogger() });
    await vi.advanceTimersByTimeAsync(200);
    expect(expireDue).toHaveBeenCalledTimes(2);
    await sweeper.stop();
  });
});
