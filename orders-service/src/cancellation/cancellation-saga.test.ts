import { testLogger } from "@checkout-saga/shared/testing";
import { describe, expect, it } from "vitest";
import { CRASH_POINTS, type CrashPoint } from "./cancellation-faults.js";
import {
  type Cancellation,
  type CancellationSagaStore,
  type CancellationStatus,
  createCancellationSaga,
} from "./cancellation-saga.js";
import type { PointsReturnPort, RefundPort, StockReturnPort } from "./ports.js";

const OWNER = "driver-1";

function buildCancellation(over: Partial<Cancellation> = {}): Cancellation {
  return {
    id: "cancel-1",
    orderId: "order-1",
    userId: "alice",
    checkoutId: "checkout-1",
    paymentId: "pay-1",
    status: "REQUESTED",
    requestedBy: "user:alice",
    reason: "changed my mind",
    lines: [{ productId: "2", name: "Mouse", quantity: 1, unitPrice: { currency: "JPY", amountMinor: 4480 } }],
    refund: { currency: "JPY", amountMinor: 3000 },
    pointsReturned: 1480,
    needsAttention: false,
    compensationAttempts: 0,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    history: [],
    ...over,
  };
}

/** In-memory store with the Postgres store's guard: expected status and lease owner. */
function memoryStore(cancellation: Cancellation) {
  const state = { cancellation: structuredClone(cancellation) };
  const store: CancellationSagaStore = {
    async load() {
      return structuredClone(state.cancellation);
    },
    async transition(change) {
      if (state.cancellation.status !== change.from || change.owner !== OWNER) return false;
      const states = [change.from, ...(change.via ?? []).map((v) => v.state), change.to];
      const reasons = [...(change.via ?? []).map((v) => v.reason), change.reason];
      state.cancellation = { ...state.cancellation, ...change.patch, status: change.to };
      reasons.forEach((reason, i) => {
        state.cancellation.history.push({
          from: states[i],
          to: states[i + 1] as CancellationStatus,
          reason,
          at: change.at,
        });
      });
      return true;
    },
    async annotate(note) {
      if (state.cancellation.status !== note.status || note.owner !== OWNER) return false;
      state.cancellation = { ...state.cancellation, ...note.patch };
      return true;
    },
    async renewLease(_id, owner) {
      return owner === OWNER;
    },
  };
  return { store, state };
}

/** Fakes of the payment service (money and points) and inventory that log every call; `failPoints` makes ReturnPoints fail. */
function downstream() {
  const calls: string[] = [];
  const pointsReturns: Parameters<PointsReturnPort["returnPoints"]>[0][] = [];
  const fake = { calls, pointsReturns, failPoints: false };
  const payments: RefundPort = {
    async refund() {
      calls.push("refund");
      return { refunded: true };
    },
  };
  const points: PointsReturnPort = {
    async returnPoints(request) {
      calls.push("returnPoints");
      if (fake.failPoints) throw new Error("payment service unavailable");
      pointsReturns.push(request);
    },
  };
  const inventory: StockReturnPort = {
    async returnStock() {
      calls.push("returnStock");
    },
  };
  return { fake, ports: { payments, points, inventory } };
}

function sagaFor(cancellation: Cancellation, reached: CrashPoint[] = []) {
  const { store, state } = memoryStore(cancellation);
  const { fake, ports } = downstream();
  const saga = createCancellationSaga({
    ...ports,
    store,
    clock: { now: () => new Date(1_000) },
    logger: testLogger("cancellation-saga"),
    leaseMs: 30_000,
    // One attempt, no deadline to wait out: a failing step flags and waits at once.
    policy: { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, deadlineMs: 50 },
    signal: new AbortController().signal,
    faults: { reached: (at) => reached.push(at as CrashPoint) },
  });
  return { saga, state, fake };
}

describe("the cancellation saga's points", () => {
  it("returns the redeemed points after the refund, keyed by the checkout and the cancellation", async () => {
    const reached: CrashPoint[] = [];
    const { saga, state, fake } = sagaFor(buildCancellation(), reached);
    const ended = await saga.drive("cancel-1", OWNER);
    expect(ended.status).toBe("COMPLETED");
    expect(fake.calls).toEqual(["refund", "returnPoints", "returnStock"]);
    expect(fake.pointsReturns).toEqual([
      {
        checkoutId: "checkout-1",
        points: 1480,
        returnKey: "cancel-1",
        orderId: "order-1",
        reason: "order order-1 cancellation cancel-1",
      },
    ]);
    expect(state.cancellation.history.map((h) => h.to)).toEqual([
      "REFUNDED",
      "POINTS_RETURNED",
      "STOCK_RETURNED",
      "COMPLETED",
    ]);
    expect(reached).toEqual(["after-refund", "after-points-return", "after-return"]);
    expect(CRASH_POINTS).toContain("after-points-return");
  });

  it("calls nothing for points when the order redeemed none for these lines", async () => {
    const { saga, state, fake } = sagaFor(buildCancellation({ pointsReturned: 0 }));
    expect((await saga.drive("cancel-1", OWNER)).status).toBe("COMPLETED");
    expect(fake.calls).toEqual(["refund", "returnStock"]);
    expect(state.cancellation.history.map((h) => h.to)).toContain("POINTS_RETURNED");
  });

  it("past the refund, waits flagged while the points cannot be returned, then moves on", async () => {
    const { saga, state, fake } = sagaFor(buildCancellation());
    fake.failPoints = true;
    const stuck = await saga.drive("cancel-1", OWNER);
    expect(stuck).toMatchObject({ status: "REFUNDED", needsAttention: true });
    expect(fake.calls).not.toContain("returnStock");

    fake.failPoints = false;
    const ended = await saga.drive("cancel-1", OWNER);
    expect(ended).toMatchObject({ status: "COMPLETED", needsAttention: false });
    expect(fake.calls.filter((c) => c === "refund")).toHaveLength(1);
    expect(fake.pointsReturns).toHaveLength(1);
    expect(state.cancellation.status).toBe("COMPLETED");
  });
});
