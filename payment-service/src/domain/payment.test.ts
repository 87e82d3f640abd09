import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { type Payment, refundPayment } from "./payment.js";

function buildPayment(overrides: Partial<Payment> = {}): Payment {
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

  it.each(["DECLINED", "PENDING"] as const)("refuses a %s payment", (status) => {
    const attempt = () => refundPayment(buildPayment({ status }), "why", at);
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(expect.objectContaining({ kind: "failed_precondition", reason: "PAYMENT_NOT_REFUNDABLE" }));
  });
});
