import { createHash } from "node:crypto";
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

const yen = (amountMinor: number) => ({ currency: "JPY", amountMinor });
const konbini = (store?: string) => ({ type: "konbini", token: "", ...(store === undefined ? {} : { store }) });

describe("validateChargeRequest", () => {
  it("accepts a well-formed request", () => {
    expect(reasonOf(buildRequest())).toBeUndefined();
    expect(reasonOf(buildRequest({ idempotencyKey: "k".repeat(255) }))).toBeUndefined();
  });

  it.each([
    ["¥120, the smallest", yen(120), undefined],
    ["¥300,000, the largest", yen(300_000), undefined],
    ["a named store", yen(4_480), "familymart"],
  ])("accepts konbini at %s", (_name, amount, store) => {
    expect(reasonOf(buildRequest({ amount, method: konbini(store) }))).toBeUndefined();
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
      "neither card nor konbini",
      { method: { type: "paypal", token: "tok_visa" } },
      "invalid_argument:INVALID_PAYMENT_METHOD:payment_method.type",
    ],
    [
      "a card naming a store",
      { method: { type: "card", token: "tok_visa", store: "lawson" } },
      "invalid_argument:INVALID_PAYMENT_METHOD:payment_method.store",
    ],
    ["konbini in USD", { method: konbini() }, "invalid_argument:KONBINI_CURRENCY_UNSUPPORTED:amount.currency"],
    [
      "konbini under ¥120",
      { amount: yen(119), method: konbini() },
      "invalid_argument:KONBINI_AMOUNT_OUT_OF_RANGE:amount.amount_minor",
    ],
    [
      "konbini over ¥300,000",
      { amount: yen(300_001), method: konbini() },
      "invalid_argument:KONBINI_AMOUNT_OUT_OF_RANGE:amount.amount_minor",
    ],
    [
      "konbini with a card token",
      { amount: yen(1_000), method: { type: "konbini", token: "tok_visa" } },
      "invalid_argument:INVALID_PAYMENT_METHOD:payment_method.token",
    ],
    [
      "konbini at an unknown store",
      { amount: yen(1_000), method: konbini("corner-shop") },
      "invalid_argument:INVALID_PAYMENT_METHOD:payment_method.store",
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
  it("keeps a card's digest what it was before konbini stores existed", () => {
    const before = createHash("sha256")
      .update(JSON.stringify(["checkout-1", "USD", 1299, "card", "tok_visa"]))
      .digest("hex");
    expect(requestFingerprint(validateChargeRequest(buildRequest()))).toBe(before);
  });

  it("changes with a konbini payment's store", () => {
    const konbiniFingerprint = (store?: string) =>
      requestFingerprint(validateChargeRequest(buildRequest({ amount: yen(1_000), method: konbini(store) })));
    expect(konbiniFingerprint("lawson")).not.toBe(konbiniFingerprint());
    expect(konbiniFingerprint("lawson")).not.toBe(konbiniFingerprint("familymart"));
  });

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
