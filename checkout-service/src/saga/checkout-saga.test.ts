import {
  type Amount,
  checkoutTotals,
  createSagaDriver,
  decodeEnvelope,
  defineSaga,
  failedPrecondition,
  fromTotalsProto,
  type OutboxMessage,
  toConnectError,
} from "@checkout-saga/shared";
import { testLogger } from "@checkout-saga/shared/testing";
import { Code, ConnectError } from "@connectrpc/connect";
import { beforeEach, describe, expect, it } from "vitest";
import type { CheckoutFailure } from "../domain/checkout-session.js";
import { redeemPointsFrom } from "../domain/points.js";
import { checkoutEndedEvent } from "./checkout-events.js";
import {
  type CheckoutEnded,
  type CheckoutSagaStore,
  type CheckoutSession,
  type CheckoutStatus,
  checkoutSaga,
  createCheckoutSaga,
  type SagaSettings,
} from "./checkout-saga.js";
import { type CheckoutStepDeps, compensateWith } from "./checkout-step.js";
import type {
  CartClaimPort,
  InventoryPort,
  PaymentPort,
  PaymentResult,
  PointsPort,
  RedemptionStatus,
  SessionPatch,
} from "./ports.js";
import type { SagaFaults } from "./saga-faults.js";

const OWNER = "driver-1";
const settings: SagaSettings = {
  leaseMs: 30_000,
  paymentDeadlineMs: 60_000,
  konbiniExpiresAfterMs: 3_600_000,
  paymentMarginMs: 60_000,
  steps: {
    prepare: { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 }, deadlineMs: 60_000 },
    charge: { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 }, deadlineMs: 60_000 },
  },
  compensationRetry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 2, transientPatienceMs: 0 },
};

function buildSession(over: Partial<CheckoutSession> = {}): CheckoutSession {
  return {
    id: "c-1",
    userId: "u-1",
    status: "INITIATED",
    total: { currency: "USD", amountMinor: 5998 },
    items: [{ productId: "2", name: "Mouse", quantity: 2, unitPriceMinor: 2999 }],
    shippingAddress: {
      name: "Ada",
      phone: "+1 555 0100",
      postalCode: "94105",
      region: "CA",
      city: "SF",
      line1: "1 Market St",
      line2: "",
      country: "US",
    },
    paymentMethod: { type: "card", token: "tok_visa" },
    stepMode: false,
    needsAttention: false,
    compensationAttempts: 0,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    history: [],
    ...over,
  };
}

/** A JPY checkout of one Keyboard (¥13,200) that redeems `points`. */
function buildPointsSession(points: number, over: Partial<CheckoutSession> = {}): CheckoutSession {
  const subtotal = checkoutTotals([{ amount: { currency: "JPY", amountMinor: 13_200 }, taxClass: "standard" }], "JPY");
  const items = [{ productId: "3", name: "Keyboard", quantity: 1, unitPriceMinor: 13_200 }];
  const { total, totals } = redeemPointsFrom({ items, total: subtotal.total, totals: subtotal }, points);
  return buildSession({ items, total, totals, ...over });
}

/** In-memory SagaStore with the Postgres store's guard: expected status and lease owner. */
function memoryStore(session: CheckoutSession) {
  const state = { session: structuredClone(session), outbox: [] as OutboxMessage[], owner: OWNER };
  const store: CheckoutSagaStore = {
    async load() {
      return structuredClone(state.session);
    },
    async transition(change) {
      if (state.session.status !== change.from || state.owner !== change.owner) return false;
      state.session = { ...state.session, ...change.patch, status: change.to };
      const states = [change.from, ...(change.via ?? []).map((v) => v.state), change.to];
      [...(change.via ?? []).map((v) => v.reason), change.reason].forEach((reason, i) => {
        state.session.history.push({ from: states[i], to: states[i + 1] as CheckoutStatus, reason, at: change.at });
      });
      if (change.outbox) state.outbox.push(change.outbox.event);
      return true;
    },
    async annotate(note) {
      if (state.session.status !== note.status || state.owner !== note.owner) return false;
      state.session = { ...state.session, ...note.patch };
      return true;
    },
    async renewLease(_id, owner) {
      return state.owner === owner;
    },
  };
  return { store, state };
}

/** Fakes of inventory and payments that log every call, with failures injected per method. */
function downstream() {
  const calls: string[] = [];
  const failures: Partial<Record<string, () => unknown>> = {};
  let chargeResult: PaymentResult = { paymentId: "p-1", status: "succeeded" };
  let voidResult: PaymentResult = { paymentId: "p-1", status: "voided" };
  const maybeFail = (name: string) => {
    calls.push(name);
    const failure = failures[name]?.();
    if (failure) throw failure;
  };
  const cart: CartClaimPort = {
    async claim() {
      maybeFail("claim");
    },
    async release() {
      maybeFail("releaseClaim");
    },
  };
  const inventory: InventoryPort = {
    async reserve(checkoutId) {
      maybeFail("reserve");
      return { reservationId: `r-${checkoutId}` };
    },
    async confirm() {
      maybeFail("confirm");
    },
    async release() {
      maybeFail("release");
    },
  };
  let redemptionStatus: RedemptionStatus = "redeemed";
  const redeemed: Array<{ userId: string; checkoutId: string; points: number }> = [];
  const points: PointsPort = {
    async redeem(input) {
      maybeFail("redeem");
      redeemed.push(input);
      return redemptionStatus;
    },
    async returnAll() {
      maybeFail("returnPoints");
    },
  };
  const chargeKeys: string[] = [];
  const chargeAmounts: Amount[] = [];
  const payments: PaymentPort = {
    async charge(input) {
      chargeKeys.push(input.idempotencyKey);
      chargeAmounts.push(input.amount);
      maybeFail("charge");
      return chargeResult;
    },
    async refund() {
      maybeFail("refund");
    },
    async voidCharge() {
      maybeFail("voidCharge");
      return voidResult;
    },
    async getPayment() {
      return chargeResult;
    },
  };
  return {
    cart,
    points,
    inventory,
    payments,
    calls,
    chargeKeys,
    chargeAmounts,
    redeemed,
    failures,
    answerRedeem(status: RedemptionStatus) {
      redemptionStatus = status;
    },
    answerCharge(result: PaymentResult) {
      chargeResult = result;
    },
    answerVoid(result: PaymentResult) {
      voidResult = result;
    },
  };
}

const unavailable = () => new ConnectError("down", Code.Unavailable);

describe("checkout saga", () => {
  let fakes: ReturnType<typeof downstream>;
  let clockNow: Date;

  beforeEach(() => {
    fakes = downstream();
    clockNow = new Date("2026-01-01T00:00:00Z");
  });

  function sagaFor(session: CheckoutSession, signal = new AbortController().signal, faults?: SagaFaults) {
    const { store, state } = memoryStore(session);
    const saga = createCheckoutSaga({
      store,
      cart: fakes.cart,
      points: fakes.points,
      inventory: fakes.inventory,
      payments: fakes.payments,
      clock: { now: () => clockNow },
      logger: testLogger(),
      settings,
      signal,
      faults,
      encodeResponse: () => new Uint8Array([1]),
    });
    return { saga, state, drive: (maxSteps?: number) => saga.drive(session.id, OWNER, { maxSteps }) };
  }

  const path = (s: CheckoutSession) => s.history.map((t) => t.to);
  const eventTypes = (outbox: OutboxMessage[]) => outbox.map((m) => decodeEnvelope(m.payload).type);

  it("reserves, charges with the checkout id as key, confirms, and writes CheckoutCompleted", async () => {
    const { drive, state } = sagaFor(buildSession());
    const done = await drive();
    expect(done.status).toBe("COMPLETED");
    expect(path(done)).toEqual([
      "LINES_CLAIMED",
      "POINTS_REDEEMED",
      "INVENTORY_RESERVED",
      "PAYMENT_PENDING",
      "PAYMENT_COMPLETED",
      "COMPLETED",
    ]);
    expect(fakes.calls).toEqual(["claim", "reserve", "charge", "confirm"]);
    expect(fakes.chargeKeys).toEqual(["c-1"]);
    expect([done.reservationId, done.paymentId]).toEqual(["r-c-1", "p-1"]);
    expect(eventTypes(state.outbox)).toEqual(["CheckoutCompleted"]);
    const completed = decodeEnvelope(state.outbox[0]!.payload).payload;
    expect(completed.case === "checkoutCompleted" && completed.value.paymentId).toBe("p-1");
  });

  it("after reserveStock, a declined charge releases the stock only", async () => {
    fakes.answerCharge({ paymentId: "p-1", status: "declined", declineCode: "card_declined" });
    const { drive, state } = sagaFor(buildSession());
    const done = await drive();
    expect(fakes.calls).toEqual(["claim", "reserve", "charge", "release", "releaseClaim"]);
    expect(done.status).toBe("FAILED");
    expect(done.failure).toMatchObject({ code: "PAYMENT_DECLINED", declineCode: "card_declined" });
    expect(path(done)).toEqual([
      "LINES_CLAIMED",
      "POINTS_REDEEMED",
      "INVENTORY_RESERVED",
      "PAYMENT_PENDING",
      "COMPENSATING",
      "FAILED",
    ]);
    expect(eventTypes(state.outbox)).toEqual(["CheckoutFailed"]);
  });

  it("after chargePayment, a lost reservation refunds then releases, in reverse order", async () => {
    fakes.failures.confirm = () => toConnectError(failedPrecondition("RESERVATION_EXPIRED", "the reservation expired"));
    const { drive, state } = sagaFor(buildSession());
    const done = await drive();
    expect(fakes.calls).toEqual(["claim", "reserve", "charge", "confirm", "refund", "release", "releaseClaim"]);
    expect(done.status).toBe("FAILED");
    expect(done.failure?.code).toBe("RESERVATION_LOST");
    expect(path(done).slice(-3)).toEqual(["PAYMENT_COMPLETED", "COMPENSATING", "FAILED"]);
    expect(eventTypes(state.outbox)).toEqual(["CheckoutFailed"]);
  });

  it("passes each crash point after the downstream effect and before the commit that records it", async () => {
    const reached: Array<{ point: string; calls: string; status: string }> = [];
    let current = () => "";
    const faults: SagaFaults = {
      reached: (point) => reached.push({ point, calls: fakes.calls.join(","), status: current() }),
    };
    fakes.failures.confirm = () => toConnectError(failedPrecondition("RESERVATION_EXPIRED", "the reservation expired"));
    const { drive, state } = sagaFor(buildSession(), undefined, faults);
    current = () => state.session.status;
    await drive();
    expect(reached).toEqual([
      { point: "after-reserve", calls: "claim,reserve", status: "POINTS_REDEEMED" },
      { point: "during-charge", calls: "claim,reserve,charge", status: "PAYMENT_PENDING" },
      { point: "after-charge", calls: "claim,reserve,charge", status: "PAYMENT_PENDING" },
      { point: "during-compensation", calls: "claim,reserve,charge,confirm,refund", status: "COMPENSATING" },
    ]);
  });

  it("out of stock undoes nothing and names the short lines", async () => {
    fakes.failures.reserve = () =>
      toConnectError(
        failedPrecondition("OUT_OF_STOCK", "not enough", { lines: [{ productId: "2", requested: 2, available: 1 }] }),
      );
    const { drive } = sagaFor(buildSession());
    const done = await drive();
    expect(fakes.calls).toEqual(["claim", "reserve", "releaseClaim"]);
    expect(done.status).toBe("FAILED");
    expect(done.failure).toMatchObject({
      code: "OUT_OF_STOCK",
      shortages: [{ productId: "2", requested: 2, available: 1 }],
    });
    expect(path(done)).toEqual(["LINES_CLAIMED", "POINTS_REDEEMED", "COMPENSATING", "FAILED"]);
  });

  it("retries a retryable reserve failure and then goes on", async () => {
    let failuresLeft = 2;
    fakes.failures.reserve = () => (failuresLeft-- > 0 ? unavailable() : undefined);
    const { drive } = sagaFor(buildSession());
    expect((await drive()).status).toBe("COMPLETED");
    expect(fakes.calls.filter((c) => c === "reserve")).toHaveLength(3);
  });

  it("a reserve that keeps failing compensates as STEP_FAILED and releases whatever may be held", async () => {
    fakes.failures.reserve = unavailable;
    const { drive } = sagaFor(buildSession());
    const done = await drive();
    expect(done.status).toBe("FAILED");
    expect(done.failure?.code).toBe("STEP_FAILED");
    expect(fakes.calls).toEqual(["claim", "reserve", "reserve", "reserve", "release", "releaseClaim"]);
  });

  it("a charge whose outcome is unknown stays PAYMENT_PENDING, and voids it by key once past its deadline", async () => {
    fakes.failures.charge = unavailable;
    const { drive } = sagaFor(buildSession());
    const waiting = await drive();
    expect(waiting.status).toBe("PAYMENT_PENDING");
    expect(fakes.calls).not.toContain("release");

    clockNow = new Date(clockNow.getTime() + settings.paymentDeadlineMs + 1);
    fakes.calls.length = 0;
    const done = await drive();
    expect(done.status).toBe("FAILED");
    expect(done.failure?.code).toBe("STEP_FAILED");
    expect(fakes.calls).toEqual(["charge", "charge", "charge", "voidCharge", "release", "releaseClaim"]);
    expect(new Set(fakes.chargeKeys)).toEqual(new Set(["c-1"]));
    expect(done.history.at(-1)?.reason).toBe(
      "compensated: charge voided, stock released, no points to return, cart lines released",
    );
  });

  it.each([
    ["refunded", "payment refunded"],
    ["declined", "nothing charged"],
  ] as const)("counts a %s answer to the void as undone", async (status, undone) => {
    fakes.failures.charge = unavailable;
    fakes.answerVoid({ paymentId: "p-1", status });
    clockNow = new Date(clockNow.getTime() + settings.paymentDeadlineMs + 1);
    const { drive } = sagaFor(buildSession({ status: "PAYMENT_PENDING", paymentDeadline: new Date(0) }));
    const done = await drive();
    expect(done.status).toBe("FAILED");
    expect(done.history.at(-1)?.reason).toBe(
      `compensated: ${undone}, stock released, no points to return, cart lines released`,
    );
  });

  it("never ends FAILED while the void answers that money is still taken", async () => {
    fakes.failures.charge = unavailable;
    fakes.answerVoid({ paymentId: "p-1", status: "succeeded" });
    clockNow = new Date(clockNow.getTime() + settings.paymentDeadlineMs + 1);
    const { drive } = sagaFor(buildSession({ status: "PAYMENT_PENDING", paymentDeadline: new Date(0) }));
    const stuck = await drive();
    expect([stuck.status, stuck.needsAttention]).toEqual(["COMPENSATING", true]);
    expect(fakes.calls).not.toContain("release");
  });

  it("a charge answered VOIDED (voided by an earlier compensation) compensates", async () => {
    fakes.answerCharge({ paymentId: "p-1", status: "voided" });
    const { drive } = sagaFor(buildSession());
    const done = await drive();
    expect(done.status).toBe("FAILED");
    expect(done.failure?.message).toMatch(/voided/);
    expect(fakes.calls).toEqual(["claim", "reserve", "charge", "voidCharge", "release", "releaseClaim"]);
  });

  it("a compensation that keeps failing stays COMPENSATING and needs attention, never FAILED", async () => {
    fakes.answerCharge({ paymentId: "p-1", status: "declined", declineCode: "card_declined" });
    fakes.failures.release = unavailable;
    const { drive, state } = sagaFor(buildSession());
    const stuck = await drive();
    expect(stuck.status).toBe("COMPENSATING");
    expect(stuck.needsAttention).toBe(true);
    expect(stuck.compensationAttempts).toBe(5);
    expect(fakes.calls.filter((c) => c === "release")).toHaveLength(5);
    expect(state.outbox).toEqual([]);

    // A later retry that succeeds clears the flag and finishes.
    delete fakes.failures.release;
    const done = await drive();
    expect([done.status, done.needsAttention]).toEqual(["FAILED", false]);
  });

  it("after the pivot a failing confirm is retried later, never refunded", async () => {
    fakes.failures.confirm = unavailable;
    const { drive } = sagaFor(buildSession());
    const paid = await drive();
    expect(paid.status).toBe("PAYMENT_COMPLETED");
    expect(fakes.calls).not.toContain("refund");
    delete fakes.failures.confirm;
    expect((await drive()).status).toBe("COMPLETED");
  });

  it("resumes PAYMENT_PENDING by charging again with the same key", async () => {
    const { drive } = sagaFor(
      buildSession({
        status: "PAYMENT_PENDING",
        reservationId: "r-c-1",
        paymentDeadline: new Date(clockNow.getTime() + 1000),
      }),
    );
    expect((await drive()).status).toBe("COMPLETED");
    expect(fakes.calls).toEqual(["charge", "confirm"]);
    expect(fakes.chargeKeys).toEqual(["c-1"]);
  });

  it("makes exactly one transition per step when asked to", async () => {
    const { drive } = sagaFor(buildSession());
    expect((await drive(1)).status).toBe("LINES_CLAIMED");
    expect((await drive(1)).status).toBe("POINTS_REDEEMED");
    expect((await drive(1)).status).toBe("INVENTORY_RESERVED");
    expect(fakes.calls).toEqual(["claim", "reserve"]);
  });

  it("redeems points before reserving, charges the rest, and announces the points in the totals", async () => {
    const { drive, state } = sagaFor(buildPointsSession(100));
    const done = await drive();
    expect(done.status).toBe("COMPLETED");
    expect(fakes.calls).toEqual(["claim", "redeem", "reserve", "charge", "confirm"]);
    expect(fakes.redeemed).toEqual([{ userId: "u-1", checkoutId: "c-1", points: 100 }]);
    expect(fakes.chargeAmounts).toEqual([{ currency: "JPY", amountMinor: 13_100 }]);
    const completed = decodeEnvelope(state.outbox[0]!.payload).payload;
    expect(completed.case).toBe("checkoutCompleted");
    const totals = completed.case === "checkoutCompleted" ? fromTotalsProto(completed.value.totals!) : undefined;
    expect(totals).toMatchObject({
      subtotal: { currency: "JPY", amountMinor: 13_200 },
      pointsRedeemed: { currency: "JPY", amountMinor: 100 },
      total: { currency: "JPY", amountMinor: 13_100 },
    });
  });

  it("too few points: FAILED POINTS_INSUFFICIENT naming the balance, nothing reserved, nothing to give back", async () => {
    fakes.failures.redeem = () =>
      toConnectError(
        failedPrecondition("POINTS_INSUFFICIENT", "not enough points", {
          metadata: { requested: "100", balance: "40" },
        }),
      );
    const { drive, state } = sagaFor(buildPointsSession(100));
    const done = await drive();
    expect(done.status).toBe("FAILED");
    expect(done.failure).toMatchObject({ code: "POINTS_INSUFFICIENT", pointsBalance: 40 });
    expect(fakes.calls).toEqual(["claim", "redeem", "releaseClaim"]);
    expect(path(done)).toEqual(["LINES_CLAIMED", "COMPENSATING", "FAILED"]);
    expect(eventTypes(state.outbox)).toEqual(["CheckoutFailed"]);
  });

  it("a declined card gives the redeemed points back, after the stock and before the cart lines", async () => {
    fakes.answerCharge({ paymentId: "p-1", status: "declined", declineCode: "card_declined" });
    const { drive } = sagaFor(buildPointsSession(50));
    const done = await drive();
    expect(done.failure?.code).toBe("PAYMENT_DECLINED");
    expect(fakes.calls).toEqual(["claim", "redeem", "reserve", "charge", "release", "returnPoints", "releaseClaim"]);
    expect(done.history.at(-1)?.reason).toBe("compensated: stock released, points returned, cart lines released");
  });

  it("a redemption whose answer was lost is given back by key (the ledger voids it if it never came)", async () => {
    fakes.failures.redeem = unavailable;
    const { drive } = sagaFor(buildPointsSession(100));
    const done = await drive();
    expect(done.failure?.code).toBe("STEP_FAILED");
    expect(fakes.calls).toEqual(["claim", "redeem", "redeem", "redeem", "returnPoints", "releaseClaim"]);
  });

  it("a redemption already voided by an earlier compensation does not go on", async () => {
    fakes.answerRedeem("voided");
    const { drive } = sagaFor(buildPointsSession(100));
    const done = await drive();
    expect(done.failure).toMatchObject({ code: "STEP_FAILED", message: expect.stringMatching(/voided/) });
    expect(fakes.calls).not.toContain("reserve");
  });

  it.each([
    ["card", { type: "card", token: "tok_visa" }],
    ["konbini", { type: "konbini" }],
  ] as const)("paid entirely in points (%s): no payment is made and the checkout completes", async (_n, method) => {
    const { drive } = sagaFor(buildPointsSession(13_200, { paymentMethod: method }));
    const done = await drive();
    expect(done.status).toBe("COMPLETED");
    expect(done.paymentId).toBeUndefined();
    expect(fakes.calls).toEqual(["claim", "redeem", "reserve", "confirm"]);
  });

  it("paid entirely in points and then the stock was lost: gives the points back, refunds nothing", async () => {
    fakes.failures.confirm = () => toConnectError(failedPrecondition("RESERVATION_EXPIRED", "the reservation expired"));
    const { drive } = sagaFor(buildPointsSession(13_200));
    const done = await drive();
    expect(done.failure?.code).toBe("RESERVATION_LOST");
    expect(fakes.calls).toEqual(["claim", "redeem", "reserve", "confirm", "release", "returnPoints", "releaseClaim"]);
  });

  it("passes the redemption's crash points after it took and after it gave back the points", async () => {
    const reached: Array<{ point: string; calls: string; status: string }> = [];
    let current = () => "";
    const faults: SagaFaults = {
      reached: (point) => reached.push({ point, calls: fakes.calls.join(","), status: current() }),
    };
    fakes.answerCharge({ paymentId: "p-1", status: "declined", declineCode: "card_declined" });
    const { drive, state } = sagaFor(buildPointsSession(50), undefined, faults);
    current = () => state.session.status;
    await drive();
    expect(reached.filter((r) => r.point.includes("redeem"))).toEqual([
      { point: "after-redeem", calls: "claim,redeem", status: "LINES_CLAIMED" },
      {
        point: "during-redeem-compensation",
        calls: "claim,redeem,reserve,charge,release,returnPoints",
        status: "COMPENSATING",
      },
    ]);
  });

  it("stops without moving when another driver holds the checkout", async () => {
    const { drive, state } = sagaFor(buildSession());
    state.owner = "someone-else";
    const result = await drive();
    expect(result.status).toBe("INITIATED");
  });

  it("leaves a finished checkout alone", async () => {
    const { drive } = sagaFor(buildSession({ status: "COMPLETED" }));
    expect((await drive()).status).toBe("COMPLETED");
    expect(fakes.calls).toEqual([]);
  });
});

/**
 * The compensation order is derived from the definition: a failure injected after every step
 * in turn (the next step fails, having provably done nothing) undoes exactly the steps that
 * completed, newest first.
 */
describe("checkout saga compensation order", () => {
  const steps = checkoutSaga(settings.steps).steps;
  const undoCall: Record<string, string> = {
    "release cart lines": "releaseClaim",
    "return points": "returnPoints",
    "release stock": "release",
    "refund payment": "refund",
  };

  it.each(steps.slice(0, -1).map((s, i) => [s.name, i] as const))(
    "a failure right after %s undoes exactly the steps done, in reverse",
    async (_name, done) => {
      const fakes = downstream();
      const injected = steps.map((s, i) =>
        i === done + 1
          ? { ...s, changesNothingOn: ["INJECTED"], action: () => compensateWith("INJECTED", "injected") }
          : s,
      );
      // After the pivot a step may turn back only on its own codes: let the injected one through.
      const definition = defineSaga({
        ...checkoutSaga(settings.steps),
        steps: injected.map((s, i) => (i === done + 1 && i > 0 ? { ...s, turnsBackOn: ["INJECTED"] } : s)),
      });
      const { store } = memoryStore(buildPointsSession(100));
      const saga = createSagaDriver<
        CheckoutStatus,
        CheckoutFailure,
        CheckoutSession,
        SessionPatch,
        CheckoutStepDeps,
        CheckoutEnded
      >({
        definition,
        store,
        deps: {
          cart: fakes.cart,
          points: fakes.points,
          inventory: fakes.inventory,
          payments: fakes.payments,
          ...settings,
        },
        clock: { now: () => new Date() },
        logger: testLogger(),
        settings: { leaseMs: 30_000, compensationRetry: settings.compensationRetry },
        signal: new AbortController().signal,
        announce: (session, at) => ({ event: checkoutEndedEvent(session, at) }),
        idField: "checkoutId",
      });
      const end = await saga.drive("c-1", OWNER);

      expect(end.status).toBe("FAILED");
      const expectedUndos = steps
        .slice(0, done + 1)
        .flatMap((s) => (s.compensation ? [undoCall[s.compensation.name]] : []))
        .reverse();
      const undos = fakes.calls.filter((c) => Object.values(undoCall).includes(c));
      expect(undos).toEqual(expectedUndos);
    },
  );
});
