import { describe, expect, it } from "vitest";
import { circuitOpenError } from "../clients/circuit-breaker-interceptor.js";
import type { CheckoutSession } from "../domain/checkout-session.js";
import { compensate } from "./compensation.js";
import { noFaults } from "./saga-faults.js";
import type { StepContext } from "./saga-step.js";

/** A checkout that reserved stock and failed before charging: its undo plan is one Release. */
function reservedThenFailed(): CheckoutSession {
  return {
    compensationAttempts: 0,
    failure: { code: "STEP_FAILED", message: "payment unreachable", shortages: [] },
    history: [{ from: "INVENTORY_RESERVED", to: "COMPENSATING", reason: "failed", at: new Date() }],
  } as unknown as CheckoutSession;
}

describe("compensate", () => {
  it("does not spend attempts while the downstream's circuit is open", async () => {
    const answers: Array<() => Promise<unknown>> = [
      ...Array.from({ length: 8 }, () => () => Promise.reject(circuitOpenError("inventory"))),
      () => Promise.resolve({ status: "RELEASED" }),
    ];
    const saved: unknown[] = [];
    const pauses: number[] = [];
    const ctx = {
      session: reservedThenFailed(),
      inventory: { release: () => answers.shift()!() },
      payments: {},
      call: <T>(fn: () => Promise<T>) => fn(),
      save: async (patch: unknown) => void saved.push(patch),
      pause: async (ms: number) => void pauses.push(ms),
      now: () => new Date(),
      paymentDeadlineMs: 60_000,
      faults: noFaults,
    } as unknown as StepContext;

    const outcome = await compensate(ctx, { attempts: 5, baseDelayMs: 10, maxDelayMs: 100 });

    expect(outcome).toMatchObject({ kind: "move", to: "FAILED" });
    expect(saved).toEqual([]);
    expect(pauses).toEqual(Array(8).fill(100));
  });
});
