import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { type ChargedPayment, refundPayment, type VoidedPayment, voidPayment } from "./payment.js";

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

  it.each(["DECLINED", "PENDING"] as const)("refuses a %s payment", (status) => {
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

  it("refuses a pending payment, whose outcome is not known yet", () => {
    expect(() => voidPayment(buildPayment({ status: "PENDING" }), "why", at)).toThrow(
      expect.objectContaining({ reason: "PAYMENT_NOT_REFUNDABLE" }),
    );
  });
});
