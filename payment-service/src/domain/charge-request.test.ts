import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { type ChargeRequest, requestFingerprint, validateChargeRequest } from "./charge-request.js";

function buildRequest(overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return {
    idempotencyKey: "key-1",
    checkoutId: "checkout-1",
    amount: { currency: "USD", amountMinor: 1299 },
    method: { type: "card", token: "tok_visa" },
    ...overrides,
  };
}

function reasonOf(request: ChargeRequest): string | undefined {
  try {
    validateChargeRequest(request);
    return undefined;
  } catch (err) {
    if (err instanceof DomainError) return `${err.kind}:${err.reason}:${err.context.metadata?.field}`;
    throw err;
  }
}

describe("validateChargeRequest", () => {
  it("accepts a well-formed request", () => {
    expect(reasonOf(buildRequest())).toBeUndefined();
    expect(reasonOf(buildRequest({ idempotencyKey: "k".repeat(255) }))).toBeUndefined();
  });

  it.each([
    ["missing key", { idempotencyKey: "" }, "invalid_argument:INVALID_ARGUMENT:idempotency_key"],
    ["key too long", { idempotencyKey: "k".repeat(256) }, "invalid_argument:INVALID_ARGUMENT:idempotency_key"],
    ["missing checkout", { checkoutId: "" }, "invalid_argument:INVALID_ARGUMENT:checkout_id"],
    ["missing amount", { amount: undefined }, "invalid_argument:INVALID_ARGUMENT:amount"],
    [
      "zero amount",
      { amount: { currency: "USD", amountMinor: 0 } },
      "invalid_argument:INVALID_ARGUMENT:amount.amount_minor",
    ],
    [
      "negative",
      { amount: { currency: "USD", amountMinor: -5 } },
      "invalid_argument:INVALID_ARGUMENT:amount.amount_minor",
    ],
    [
      "fraction",
      { amount: { currency: "USD", amountMinor: 1.5 } },
      "invalid_argument:INVALID_ARGUMENT:amount.amount_minor",
    ],
    [
      "bad currency",
      { amount: { currency: "usd", amountMinor: 1 } },
      "invalid_argument:INVALID_ARGUMENT:amount.currency",
    ],
    ["no method", { method: undefined }, "invalid_argument:INVALID_PAYMENT_METHOD:payment_method.type"],
    [
      "not a card",
      { method: { type: "konbini", token: "tok_visa" } },
      "invalid_argument:INVALID_PAYMENT_METHOD:payment_method.type",
    ],
    [
      "no token",
      { method: { type: "card", token: "" } },
      "invalid_argument:INVALID_PAYMENT_METHOD:payment_method.token",
    ],
  ] as const)("refuses %s", (_name, overrides, expected) => {
    expect(reasonOf(buildRequest(overrides))).toBe(expected);
  });
});

describe("requestFingerprint", () => {
  const fingerprint = (overrides: Partial<ChargeRequest> = {}) =>
    requestFingerprint(validateChargeRequest(buildRequest(overrides)));

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
