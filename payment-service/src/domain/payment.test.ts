import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import {
  type ChargedPayment,
  expireIfDue,
  isPastDue,
  payAtStore,
  refundPayment,
  type VoidedPayment,
  voidPayment,
} from "./payment.js";

function buildPayment(overrides: Partial<ChargedPayment> = {}): ChargedPayment {
  return {
    id: "pay-1",
    idempotencyKey: "key-1",
    requestFingerprint: "fp",
    checkoutId: "checkout-1",
    amount: { currency: "USD", amountMinor: 1299 },
    method: { type: "card", token: "tok_visa" },
    status: "SUCCEEDED",
    createdAt: new Date("2026-01-01T00:00:00Z"),
    refunds: [],
    ...overrides,
  };
}

const at = new Date("2026-01-02T00:00:00Z");

/** A payment refunded in full before, by one refund without a key, as a compensation makes it. */
function buildRefunded(): ChargedPayment {
  return buildPayment({
    status: "REFUNDED",
    refundedAt: new Date(0),
    refundReason: "first",
    refunds: [{ key: "", amount: { currency: "USD", amountMinor: 1299 }, reason: "first", createdAt: new Date(0) }],
  });
}

const whole = (reason: string) => ({ key: "", reason });
const part = (key: string, amountMinor: number, currency = "USD") => ({
  key,
  amount: { currency, amountMinor },
  reason: "line cancelled",
});
const expiresAt = new Date("2026-01-04T00:00:00Z");
const afterExpiry = new Date(expiresAt.getTime() + 1);

function buildVoucher(overrides: Partial<ChargedPayment> = {}): ChargedPayment {
  return buildPayment({
    amount: { currency: "JPY", amountMinor: 4_480 },
    method: { type: "konbini", token: "" },
    status: "PENDING",
    konbini: { confirmationNumber: "12345678901", expiresAt },
    ...overrides,
  });
}

describe("refundPayment", () => {
  it("refunds a succeeded payment, recording when and why", () => {
    expect(refundPayment(buildPayment(), whole("customer changed mind"), at)).toMatchObject({
      status: "REFUNDED",
      refundedAt: at,
      refundReason: "customer changed mind",
      refunds: [
        { key: "", amount: { currency: "USD", amountMinor: 1299 }, reason: "customer changed mind", createdAt: at },
      ],
    });
  });

  it("returns a refunded payment unchanged", () => {
    const refunded = buildRefunded();
    expect(refundPayment(refunded, whole("second"), at)).toBe(refunded);
  });

  it("returns a voided payment unchanged", () => {
    const voided: VoidedPayment = {
      id: "pay-1",
      idempotencyKey: "key-1",
      status: "VOIDED",
      createdAt: new Date(0),
      voidReason: "gave up",
    };
    expect(refundPayment(voided, whole("second"), at)).toBe(voided);
    expect(() => refundPayment(voided, part("c-1", 100), at)).toThrow(
      expect.objectContaining({ reason: "PAYMENT_NOT_REFUNDABLE" }),
    );
  });

  it("refunds a paid konbini payment as it would a card", () => {
    const paid = buildVoucher({
      status: "SUCCEEDED",
      konbini: { confirmationNumber: "12345678901", expiresAt, paidAt: at },
    });
    expect(refundPayment(paid, whole("checkout failed meanwhile"), at)).toMatchObject({
      status: "REFUNDED",
      konbini: { paidAt: at },
    });
  });

  it.each(["DECLINED", "PENDING", "EXPIRED"] as const)("refuses a %s payment", (status) => {
    const attempt = () => refundPayment(buildPayment({ status }), whole("why"), at);
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(expect.objectContaining({ kind: "failed_precondition", reason: "PAYMENT_NOT_REFUNDABLE" }));
  });
});

describe("refundPayment with an amount", () => {
  it("gives back part of a payment, which stays SUCCEEDED until its refunds reach its amount", () => {
    const once = refundPayment(buildPayment(), part("c-1", 299), at);
    expect(once).toMatchObject({ status: "SUCCEEDED", refunds: [{ key: "c-1", amount: { amountMinor: 299 } }] });
    expect(once).not.toHaveProperty("refundedAt");
    const twice = refundPayment(once, part("c-2", 1000), at);
    expect(twice).toMatchObject({ status: "REFUNDED", refundedAt: at, refundReason: "line cancelled" });
    expect(twice.status !== "VOIDED" && twice.refunds.map((r) => r.amount.amountMinor)).toEqual([299, 1000]);
  });

  it("answers a repeat of a key with the payment as it stands, and refuses the key with another amount", () => {
    const once = refundPayment(buildPayment(), part("c-1", 299), at);
    expect(refundPayment(once, part("c-1", 299), at)).toBe(once);
    expect(() => refundPayment(once, part("c-1", 300), at)).toThrow(
      expect.objectContaining({ kind: "failed_precondition", reason: "REFUND_KEY_REUSED" }),
    );
  });

  it("refuses more than is left, naming what is left", () => {
    const once = refundPayment(buildPayment(), part("c-1", 1000), at);
    expect(() => refundPayment(once, part("c-2", 300), at)).toThrow(
      expect.objectContaining({
        kind: "failed_precondition",
        reason: "REFUND_EXCEEDS_PAYMENT",
        context: {
          metadata: { payment_id: "pay-1", currency: "USD", requested_minor: "300", refundable_minor: "299" },
        },
      }),
    );
    expect(() => refundPayment(buildRefunded(), part("c-3", 1), at)).toThrow(
      expect.objectContaining({ reason: "REFUND_EXCEEDS_PAYMENT" }),
    );
  });

  it("refuses another currency", () => {
    expect(() => refundPayment(buildPayment(), part("c-1", 100, "JPY"), at)).toThrow(
      expect.objectContaining({ kind: "invalid_argument", reason: "REFUND_CURRENCY_MISMATCH" }),
    );
  });

  it("without an amount gives back only what is left, and nothing when nothing is", () => {
    const partly = refundPayment(buildPayment(), part("c-1", 299), at);
    expect(refundPayment(partly, whole("checkout failed"), at)).toMatchObject({
      status: "REFUNDED",
      refunds: [{ key: "c-1" }, { key: "", amount: { amountMinor: 1000 } }],
    });
    const fully = refundPayment(buildPayment(), part("c-1", 1299), at);
    expect(refundPayment(fully, whole("again"), at)).toBe(fully);
  });

  it("refuses a konbini payment not paid yet", () => {
    expect(() => refundPayment(buildVoucher(), part("c-1", 100, "JPY"), at)).toThrow(
      expect.objectContaining({ reason: "PAYMENT_NOT_REFUNDABLE" }),
    );
  });
});

describe("voidPayment", () => {
  it("refunds a succeeded payment", () => {
    expect(voidPayment(buildPayment(), "checkout failed", at)).toMatchObject({
      status: "REFUNDED",
      refundedAt: at,
      refundReason: "checkout failed",
    });
  });

  it.each([
    ["DECLINED", { status: "DECLINED", declineCode: "card_declined" }],
    ["REFUNDED", buildRefunded()],
  ] as const)("returns a %s payment unchanged", (_status, overrides) => {
    const payment = buildPayment(overrides);
    expect(voidPayment(payment, "checkout failed", at)).toBe(payment);
  });

  it("refuses a pending card payment, whose outcome is not known yet", () => {
    expect(() => voidPayment(buildPayment({ status: "PENDING" }), "why", at)).toThrow(
      expect.objectContaining({ reason: "PAYMENT_NOT_REFUNDABLE" }),
    );
  });

  it("cancels a pending konbini voucher before its expiry", () => {
    expect(voidPayment(buildVoucher(), "checkout failed", at)).toMatchObject({
      status: "VOIDED",
      voidReason: "checkout failed",
    });
  });

  it("expires a pending konbini voucher past its expiry instead of cancelling it", () => {
    expect(voidPayment(buildVoucher(), "checkout failed", afterExpiry)).toMatchObject({ status: "EXPIRED" });
  });

  it("returns an expired voucher unchanged", () => {
    const expired = buildVoucher({ status: "EXPIRED" });
    expect(voidPayment(expired, "checkout failed", at)).toBe(expired);
  });
});

describe("expiry", () => {
  it("is due from the expiry instant on, for a pending voucher only", () => {
    expect(isPastDue(buildVoucher(), new Date(expiresAt.getTime() - 1))).toBe(false);
    expect(isPastDue(buildVoucher(), expiresAt)).toBe(true);
    expect(isPastDue(buildVoucher({ status: "SUCCEEDED" }), afterExpiry)).toBe(false);
    expect(isPastDue(buildPayment({ status: "PENDING" }), afterExpiry)).toBe(false);
  });

  it("expires a past-due voucher and leaves anything else as it is", () => {
    expect(expireIfDue(buildVoucher(), expiresAt)).toMatchObject({ status: "EXPIRED" });
    const notYet = buildVoucher();
    expect(expireIfDue(notYet, at)).toBe(notYet);
    const paid = buildVoucher({ status: "SUCCEEDED" });
    expect(expireIfDue(paid, afterExpiry)).toBe(paid);
  });
});

describe("payAtStore", () => {
  it("pays a pending voucher before its expiry, recording when", () => {
    expect(payAtStore(buildVoucher(), at)).toMatchObject({
      status: "SUCCEEDED",
      konbini: { confirmationNumber: "12345678901", expiresAt, paidAt: at },
    });
  });

  it("expires a voucher paid at or after its expiry", () => {
    expect(payAtStore(buildVoucher(), expiresAt)).toMatchObject({ status: "EXPIRED" });
  });

  it.each(["SUCCEEDED", "REFUNDED", "VOIDED", "EXPIRED"] as const)("leaves a %s voucher as it is", (status) => {
    const settled = buildVoucher({ status });
    expect(payAtStore(settled, at)).toBe(settled);
  });
});
