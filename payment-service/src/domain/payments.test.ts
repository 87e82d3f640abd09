import { describe, expect, it } from "vitest";
import type { ChargeRequest } from "./charge-request.js";
import type { NewPayment, Payment } from "./payment.js";
import { createPayments, type PaymentStore, type PaymentsDeps } from "./payments.js";

/** An in-memory store keeping the first payment per key, as the real one does. */
function memoryStore(): PaymentStore & { rows: Payment[] } {
  const rows: Payment[] = [];
  const insertOnce = async (payment: NewPayment) => {
    const existing = rows.find((p) => p.idempotencyKey === payment.idempotencyKey);
    if (existing) return existing;
    const stored = { ...payment, id: `pay-${rows.length + 1}` };
    rows.push(stored);
    return stored;
  };
  return {
    rows,
    async findById(id) {
      return rows.find((p) => p.id === id);
    },
    async findByIdempotencyKey(key) {
      return rows.find((p) => p.idempotencyKey === key);
    },
    insertOnce,
    async update(id, change) {
      const i = rows.findIndex((p) => p.id === id);
      const current = rows[i];
      if (!current) return undefined;
      rows[i] = change(current);
      return rows[i];
    },
    async insertOrUpdate(absent, change) {
      const i = rows.findIndex((p) => p.idempotencyKey === absent.idempotencyKey);
      const current = rows[i];
      if (!current) return insertOnce(absent);
      rows[i] = change(current);
      return rows[i];
    },
  };
}

function setup(overrides: Partial<PaymentsDeps> = {}) {
  const store = memoryStore();
  const sleeps: number[] = [];
  let draws = 0;
  const payments = createPayments({
    store,
    latency: { min: 100, max: 200 },
    failureRate: 0,
    random: () => {
      draws++;
      return 0.5;
    },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    clock: () => new Date("2026-03-01T12:00:00Z"),
    ...overrides,
  });
  return { payments, store, sleeps, draws: () => draws };
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
    const refunded = await payments.refund(charged.id, "out of stock");
    expect(refunded).toMatchObject({ id: charged.id, status: "REFUNDED", refundReason: "out of stock" });
    expect(await payments.refund(charged.id, "again")).toEqual(refunded);
  });

  it("reports an unknown payment", async () => {
    const { payments } = setup();
    await expect(payments.refund("nope", "")).rejects.toMatchObject({
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
