import { describe, expect, it } from "vitest";
import type { ChargeRequest } from "./charge-request.js";
import { isVoidedBeforeCharge, type NewPayment, type Payment } from "./payment.js";
import type { PaymentNotification } from "./payment-notification.js";
import {
  type ChangePayment,
  ConfirmationNumberTaken,
  createPayments,
  type PaymentStore,
  type PaymentsDeps,
} from "./payments.js";

/** An in-memory store keeping the first payment per key and one voucher per number, as the real one does. */
function memoryStore(): PaymentStore & { rows: Payment[]; notifications: PaymentNotification[] } {
  const rows: Payment[] = [];
  const notifications: PaymentNotification[] = [];
  const numberOf = (p: Payment | NewPayment) => (isVoidedBeforeCharge(p) ? undefined : p.konbini?.confirmationNumber);
  const insertOnce = async (payment: NewPayment) => {
    const existing = rows.find((p) => p.idempotencyKey === payment.idempotencyKey);
    if (existing) return existing;
    const number = numberOf(payment);
    if (number !== undefined && rows.some((p) => numberOf(p) === number)) throw new ConfirmationNumberTaken();
    const stored = { ...payment, id: `pay-${rows.length + 1}` };
    rows.push(stored);
    return stored;
  };
  const apply = (i: number, change: ChangePayment) => {
    const current = rows[i];
    if (!current) return undefined;
    const { payment, notification } = change(current);
    rows[i] = payment;
    if (notification) notifications.push(notification);
    return payment;
  };
  return {
    rows,
    notifications,
    async findById(id) {
      return rows.find((p) => p.id === id);
    },
    async findByIdempotencyKey(key) {
      return rows.find((p) => p.idempotencyKey === key);
    },
    insertOnce,
    async update(id, change) {
      return apply(
        rows.findIndex((p) => p.id === id),
        change,
      );
    },
    async updateByConfirmationNumber(confirmationNumber, change) {
      return apply(
        rows.findIndex((p) => numberOf(p) === confirmationNumber),
        change,
      );
    },
    async insertOrUpdate(absent, change) {
      const i = rows.findIndex((p) => p.idempotencyKey === absent.idempotencyKey);
      return apply(i, change) ?? insertOnce(absent);
    },
    async updatePastDue(dueBy, limit, change) {
      const due = rows
        .map((p, i) => ({ p, i }))
        .filter(
          ({ p }) => p.status === "PENDING" && !isVoidedBeforeCharge(p) && p.konbini && p.konbini.expiresAt <= dueBy,
        )
        .slice(0, limit);
      for (const { i } of due) apply(i, change);
      return due.length;
    },
  };
}

function setup(overrides: Partial<PaymentsDeps> = {}) {
  const store = memoryStore();
  const sleeps: number[] = [];
  let draws = 0;
  let now = new Date("2026-03-01T12:00:00Z");
  let numbers = 10_000_000_000;
  const payments = createPayments({
    store,
    latency: { min: 100, max: 200 },
    failureRate: 0,
    konbiniExpiresAfterSeconds: 3_600,
    random: () => {
      draws++;
      return 0.5;
    },
    randomInt: () => numbers++,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    clock: () => now,
    ...overrides,
  });
  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };
  return { payments, store, sleeps, draws: () => draws, advance };
}

function buildRequest(overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return {
    idempotencyKey: "key-1",
    checkoutId: "checkout-1",
    amount: { currency: "USD", amountMinor: 1299 },
    method: { type: "card", token: "tok_visa" },
    ...overrides,
  };
}

function konbiniRequest(overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return buildRequest({
    amount: { currency: "JPY", amountMinor: 4_480 },
    method: { type: "konbini", token: "", store: "lawson" },
    ...overrides,
  });
}

const HOUR = 3_600_000;

describe("charge", () => {
  it("waits the simulated latency, then stores the token's outcome", async () => {
    const { payments, store, sleeps } = setup();
    const payment = await payments.charge(buildRequest({ method: { type: "card", token: "tok_expiredCard" } }));
    expect(sleeps).toEqual([150]);
    expect(payment).toMatchObject({ status: "DECLINED", declineCode: "expired_card", checkoutId: "checkout-1" });
    expect(store.rows).toEqual([payment]);
  });

  it("answers a repeated request with the stored payment, without charging or waiting again", async () => {
    const { payments, store, sleeps, draws } = setup();
    const first = await payments.charge(buildRequest());
    const drawsAfterFirst = draws();
    const again = await payments.charge(buildRequest());
    expect(again).toEqual(first);
    expect(store.rows).toHaveLength(1);
    expect(sleeps).toHaveLength(1);
    expect(draws()).toBe(drawsAfterFirst);
  });

  it("refuses a key reused for a different request", async () => {
    const { payments } = setup();
    await payments.charge(buildRequest());
    await expect(
      payments.charge(buildRequest({ amount: { currency: "USD", amountMinor: 1300 } })),
    ).rejects.toMatchObject({ kind: "failed_precondition", reason: "IDEMPOTENCY_KEY_REUSED" });
  });

  it("answers with the payment a concurrent charge stored first", async () => {
    const store = memoryStore();
    // The key is free when looked up, but another request wins the insert meanwhile.
    const racing: PaymentStore = {
      ...store,
      findByIdempotencyKey: async () => undefined,
    };
    const { payments } = setup({ store: racing });
    const winner = await payments.charge(buildRequest({ method: { type: "card", token: "tok_chargeDeclined" } }));
    const loser = await payments.charge(buildRequest({ method: { type: "card", token: "tok_chargeDeclined" } }));
    expect(loser).toEqual(winner);
    await expect(payments.charge(buildRequest())).rejects.toMatchObject({ reason: "IDEMPOTENCY_KEY_REUSED" });
  });

  it("declines with processing_error at failure rate 1", async () => {
    const { payments } = setup({ failureRate: 1 });
    expect(await payments.charge(buildRequest())).toMatchObject({
      status: "DECLINED",
      declineCode: "processing_error",
    });
  });
});

describe("refund", () => {
  it("refunds once and answers a repeat with the same payment", async () => {
    const { payments } = setup();
    const charged = await payments.charge(buildRequest());
    const refunded = await payments.refund(charged.id, { key: "", reason: "out of stock" });
    expect(refunded.payment).toMatchObject({ id: charged.id, status: "REFUNDED", refundReason: "out of stock" });
    expect(refunded.refund).toMatchObject({ key: "", amount: charged.status !== "VOIDED" && charged.amount });
    expect(await payments.refund(charged.id, { key: "", reason: "again" })).toEqual(refunded);
  });

  it("reports an unknown payment", async () => {
    const { payments } = setup();
    await expect(payments.refund("nope", { key: "", reason: "" })).rejects.toMatchObject({
      kind: "not_found",
      reason: "PAYMENT_NOT_FOUND",
    });
  });
});

describe("voidCharge", () => {
  it("before any charge, records a VOIDED payment that a later charge answers with, charging nothing", async () => {
    const { payments, store, sleeps } = setup();
    const voided = await payments.voidCharge("key-1", "checkout failed");
    expect(voided).toMatchObject({ idempotencyKey: "key-1", status: "VOIDED", voidReason: "checkout failed" });
    expect(await payments.charge(buildRequest())).toEqual(voided);
    expect(store.rows).toEqual([voided]);
    expect(sleeps).toEqual([]);
  });

  it("lets a charge already waiting out its latency find the VOIDED payment instead of charging", async () => {
    let voiding: Promise<unknown> | undefined;
    const { payments, store } = setup({
      // The void lands while the charge waits, as when the charge's caller timed out and compensated.
      sleep: async () => {
        voiding = payments.voidCharge("key-1", "charge timed out");
        await voiding;
      },
    });
    const answered = await payments.charge(buildRequest());
    expect(answered).toMatchObject({ status: "VOIDED" });
    expect(store.rows.map((p) => p.status)).toEqual(["VOIDED"]);
    expect(voiding).toBeDefined();
  });

  it("refunds a succeeded charge, and a repeat returns it unchanged", async () => {
    const { payments } = setup();
    const charged = await payments.charge(buildRequest());
    const voided = await payments.voidCharge("key-1", "checkout failed");
    expect(voided).toMatchObject({ id: charged.id, status: "REFUNDED", refundReason: "checkout failed" });
    expect(await payments.voidCharge("key-1", "again")).toEqual(voided);
  });

  it("returns a declined charge unchanged", async () => {
    const { payments } = setup();
    const declined = await payments.charge(buildRequest({ method: { type: "card", token: "tok_chargeDeclined" } }));
    expect(await payments.voidCharge("key-1", "checkout failed")).toEqual(declined);
  });

  it("is idempotent before a charge too", async () => {
    const { payments, store } = setup();
    const first = await payments.voidCharge("key-1", "first");
    expect(await payments.voidCharge("key-1", "second")).toEqual(first);
    expect(store.rows).toHaveLength(1);
  });
});

describe("get", () => {
  it("finds a payment by id or by idempotency key", async () => {
    const { payments } = setup();
    const charged = await payments.charge(buildRequest());
    expect(await payments.get({ paymentId: charged.id, idempotencyKey: "" })).toEqual(charged);
    expect(await payments.get({ paymentId: "", idempotencyKey: "key-1" })).toEqual(charged);
  });

  it("reports an unknown key", async () => {
    const { payments } = setup();
    await expect(payments.get({ paymentId: "", idempotencyKey: "missing" })).rejects.toMatchObject({
      kind: "not_found",
      reason: "PAYMENT_NOT_FOUND",
    });
  });
});

describe("konbini", () => {
  it("charges PENDING with a voucher: a confirmation number and an expiry", async () => {
    const { payments, store } = setup();
    const payment = await payments.charge(konbiniRequest());
    expect(payment).toMatchObject({
      status: "PENDING",
      method: { type: "konbini", store: "lawson" },
      konbini: { confirmationNumber: "10000000000", expiresAt: new Date("2026-03-01T13:00:00Z") },
    });
    expect(store.notifications).toEqual([]);
  });

  it("answers a repeated charge with the same pending payment", async () => {
    const { payments, store } = setup();
    const first = await payments.charge(konbiniRequest());
    expect(await payments.charge(konbiniRequest())).toEqual(first);
    expect(store.rows).toHaveLength(1);
  });

  it("draws another confirmation number when one is taken", async () => {
    const drawn = ["10000000001", "10000000001", "10000000002"];
    const { payments } = setup({ randomInt: () => Number(drawn.shift()) });
    await payments.charge(konbiniRequest({ idempotencyKey: "a" }));
    const second = await payments.charge(konbiniRequest({ idempotencyKey: "b" }));
    expect(second).toMatchObject({ konbini: { confirmationNumber: "10000000002" } });
  });

  it("gives up after five clashing draws", async () => {
    const { payments } = setup({ randomInt: () => 10_000_000_001 });
    await payments.charge(konbiniRequest({ idempotencyKey: "a" }));
    await expect(payments.charge(konbiniRequest({ idempotencyKey: "b" }))).rejects.toBeInstanceOf(
      ConfirmationNumberTaken,
    );
  });

  it("pays a voucher once, announcing payment.succeeded once", async () => {
    const { payments, store } = setup();
    const pending = await payments.charge(konbiniRequest());
    const paid = await payments.payKonbini("10000000000");
    expect(paid).toMatchObject({ id: pending.id, status: "SUCCEEDED" });
    expect(await payments.payKonbini("10000000000")).toEqual(paid);
    expect(store.notifications.map((n) => n.type)).toEqual(["payment.succeeded"]);
  });

  it("refuses to pay an expired voucher, and expires it on the way", async () => {
    const { payments, store, advance } = setup();
    await payments.charge(konbiniRequest());
    advance(HOUR);
    await expect(payments.payKonbini("10000000000")).rejects.toMatchObject({
      kind: "failed_precondition",
      reason: "KONBINI_VOUCHER_EXPIRED",
    });
    expect(store.rows[0]?.status).toBe("EXPIRED");
    expect(store.notifications.map((n) => n.type)).toEqual(["payment.expired"]);
  });

  it("cancels a pending voucher on VoidCharge, then refuses to pay it", async () => {
    const { payments, store } = setup();
    await payments.charge(konbiniRequest());
    expect(await payments.voidCharge("key-1", "checkout failed")).toMatchObject({ status: "VOIDED" });
    await expect(payments.payKonbini("10000000000")).rejects.toMatchObject({ reason: "KONBINI_VOUCHER_VOIDED" });
    expect(store.notifications.map((n) => n.type)).toEqual(["payment.failed"]);
  });

  // A malformed number never gets here: PayKonbiniRequest's field rule refuses it.
  it("refuses to pay a confirmation number that is unknown", async () => {
    const { payments } = setup();
    await expect(payments.payKonbini("99999999999")).rejects.toMatchObject({
      kind: "not_found",
      reason: "KONBINI_VOUCHER_NOT_FOUND",
    });
  });

  it("answers a read of a past-due voucher EXPIRED, having expired it", async () => {
    const { payments, store, advance } = setup();
    const pending = await payments.charge(konbiniRequest());
    advance(HOUR);
    expect(await payments.get({ paymentId: pending.id, idempotencyKey: "" })).toMatchObject({ status: "EXPIRED" });
    expect(await payments.get({ paymentId: "", idempotencyKey: "key-1" })).toMatchObject({ status: "EXPIRED" });
    expect(await payments.charge(konbiniRequest())).toMatchObject({ status: "EXPIRED" });
    expect(store.notifications.map((n) => n.type)).toEqual(["payment.expired"]);
  });

  it("sweeps past-due vouchers to EXPIRED, leaving the others", async () => {
    const { payments, store, advance } = setup();
    await payments.charge(konbiniRequest({ idempotencyKey: "early" }));
    advance(HOUR / 2);
    await payments.charge(konbiniRequest({ idempotencyKey: "late" }));
    advance(HOUR / 2);
    expect(await payments.expirePastDue(10)).toBe(1);
    expect(store.rows.map((p) => [p.idempotencyKey, p.status])).toEqual([
      ["early", "EXPIRED"],
      ["late", "PENDING"],
    ]);
    expect(await payments.expirePastDue(10)).toBe(0);
  });

  it("refunds a paid voucher like a card, announcing nothing more", async () => {
    const { payments, store } = setup();
    const pending = await payments.charge(konbiniRequest());
    await payments.payKonbini("10000000000");
    expect((await payments.refund(pending.id, { key: "", reason: "checkout already failed" })).payment).toMatchObject({
      status: "REFUNDED",
    });
    expect(store.notifications.map((n) => n.type)).toEqual(["payment.succeeded"]);
  });
});
