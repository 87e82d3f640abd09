import { describe, expect, it } from "vitest";
import { type ChargeRequest, requestFingerprint } from "./charge-request.js";

function buildRequest(overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return {
    idempotencyKey: "key-1",
    checkoutId: "checkout-1",
    amount: { currency: "USD", amountMinor: 1299 },
    method: { type: "card", token: "tok_visa" },
    ...overrides,
  };
}

describe("requestFingerprint", () => {
  const fingerprint = (overrides: Partial<ChargeRequest> = {}) => requestFingerprint(buildRequest(overrides));

  it("ignores the idempotency key", () => {
    expect(fingerprint({ idempotencyKey: "other" })).toBe(fingerprint());
  });

  it.each<[string, Partial<ChargeRequest>]>([
    ["checkout", { checkoutId: "checkout-2" }],
    ["amount", { amount: { currency: "USD", amountMinor: 1300 } }],
    ["currency", { amount: { currency: "EUR", amountMinor: 1299 } }],
    ["token", { method: { type: "card", token: "tok_mastercard" } }],
  ])("changes with the %s", (_name, overrides) => {
    expect(fingerprint(overrides)).not.toBe(fingerprint());
  });
});
