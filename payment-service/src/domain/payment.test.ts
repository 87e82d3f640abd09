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
    ...overrides,
  };
}

const at = new Date("2026-01-02T00:00:00Z");
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
    expect(refundPayment(buildPayment(), "customer changed mind", at)).toMatchObject({
      status: "REFUNDED",
      refundedAt: at,
      refundReason: "customer changed mind",
    });
  });

  it("returns a refunded payment unchanged", () => {
    const refunded = buildPayment({ status: "REFUNDED", refundedAt: new Date(0), refundReason: "first" });
    expect(refundPayment(refunded, "second", at)).toBe(refunded);
  });

  it("returns a voided payment unchanged", () => {
    const voided: VoidedPayment = {
      id: "pay-1",
      idempotencyKey: "key-1",
      status: "VOIDED",
      createdAt: new Date(0),
      voidReason: "gave up",
    };
    expect(refundPayment(voided, "second", at)).toBe(voided);
  });

  it("refunds a paid konbini payment as it would a card", () => {
    const paid = buildVoucher({
      status: "SUCCEEDED",
      konbini: { confirmationNumber: "12345678901", expiresAt, paidAt: at },
    });
    expect(refundPayment(paid, "checkout failed meanwhile", at)).toMatchObject({
      status: "REFUNDED",
      konbini: { paidAt: at },
    });
  });

  it.each(["DECLINED", "PENDING", "EXPIRED"] as const)("refuses a %s payment", (status) => {
    const attempt = () => refundPayment(buildPayment({ status }), "why", at);
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(expect.objectContaining({ kind: "failed_precondition", reason: "PAYMENT_NOT_REFUNDABLE" }));
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
    ["REFUNDED", { status: "REFUNDED", refundedAt: new Date(0), refundReason: "first" }],
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
