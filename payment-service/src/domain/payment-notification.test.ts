import { describe, expect, it } from "vitest";
import type { ChargedPayment } from "./payment.js";
import { paymentChange } from "./payment-notification.js";

const at = new Date("2026-03-02T09:30:00Z");

function buildVoucher(overrides: Partial<ChargedPayment> = {}): ChargedPayment {
  return {
    id: "0190a5e0-0000-7000-8000-000000000001",
    idempotencyKey: "key-1",
    requestFingerprint: "fp",
    checkoutId: "checkout-1",
    amount: { currency: "JPY", amountMinor: 4_480 },
    method: { type: "konbini", token: "" },
    status: "PENDING",
    konbini: { confirmationNumber: "12345678901", expiresAt: new Date("2026-03-04T00:00:00Z") },
    createdAt: new Date("2026-03-01T00:00:00Z"),
    refunds: [],
    ...overrides,
  };
}

describe("paymentChange", () => {
  it.each([
    ["SUCCEEDED", "payment.succeeded"],
    ["EXPIRED", "payment.expired"],
    ["VOIDED", "payment.failed"],
  ] as const)("announces a pending payment that became %s as %s", (status, type) => {
    const before = buildVoucher();
    const after = buildVoucher({ status });
    expect(paymentChange(before, after, at)).toEqual({
      payment: after,
      notification: {
        paymentId: before.id,
        type,
        at,
        body: {
          type,
          timestamp: "2026-03-02T09:30:00.000Z",
          data: { payment_id: before.id, checkout_id: "checkout-1", amount: { currency: "JPY", amount_minor: 4_480 } },
        },
      },
    });
  });

  it.each([
    ["a payment left as it was", buildVoucher(), buildVoucher()],
    ["a refund", buildVoucher({ status: "SUCCEEDED" }), buildVoucher({ status: "REFUNDED" })],
    [
      "a card refunded",
      buildVoucher({ method: { type: "card", token: "tok_visa" }, status: "SUCCEEDED", konbini: undefined }),
      buildVoucher({ method: { type: "card", token: "tok_visa" }, status: "REFUNDED", konbini: undefined }),
    ],
  ])("announces nothing for %s", (_name, before, after) => {
    expect(paymentChange(before, after, at)).toEqual({ payment: after });
  });
});
