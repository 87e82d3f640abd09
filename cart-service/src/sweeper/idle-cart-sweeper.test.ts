import { testLogger } from "@checkout-saga/shared/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CartStore } from "../store/cart-store.js";
import { startIdleCartSweeper } from "./idle-cart-sweeper.js";

const DAY = 86_400_000;

function recordingStore(deleteIdleBefore: (cutoff: Date) => Promise<number>): CartStore {
  return { load: async () => undefined, save: async () => false, deleteIdleBefore };
}

describe("idle cart sweeper", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sweeps at start and on every interval with the cutoff idleMs before now", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const cutoffs: Date[] = [];
    const now = new Date("2026-06-01T00:00:00.000Z");
    const sweeper = startIdleCartSweeper({
      store: recordingStore(async (cutoff) => {
        cutoffs.push(cutoff);
        return 1;
      }),
      idleMs: 90 * DAY,
      intervalMs: 3_600_000,
      now: () => now,
      logger: testLogger(),
    });
    await vi.waitFor(() => expect(cutoffs).toHaveLength(1));
    await vi.advanceTimersByTimeAsync(2 * 3_600_000);
    await sweeper.stop();
    expect(cutoffs).toHaveLength(3);
    expect(cutoffs[0]).toEqual(new Date(now.getTime() - 90 * DAY));

    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(cutoffs).toHaveLength(3);
  });

  it("logs a failed sweep and waits for a sweep in progress on stop", async () => {
    const logger = testLogger();
    const error = vi.spyOn(logger, "error");
    let fail = () => {};
    const sweeper = startIdleCartSweeper({
      store: recordingStore(
        () =>
          new Promise((_, reject) => {
            fail = () => reject(new Error("disk full"));
          }),
      ),
      idleMs: DAY,
      intervalMs: 3_600_000,
      now: () => new Date(),
      logger,
    });
    const stopped = sweeper.stop();
    fail();
    await stopped;
    expect(error).toHaveBeenCalledOnce();
  });
});
