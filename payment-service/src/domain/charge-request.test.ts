import { createHash } from "node:crypto";
import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { type ChargeRequest, checkChargeMethod, requestFingerprint } from "./charge-request.js";

function buildRequest(overrides: Partial<ChargeRequest> = {}): ChargeRequest {
  return {
    idempotencyKey: "key-1",
    checkoutId: "checkout-1",
    amount: { currency: "USD", amountMinor: 1299 },
    method: { type: "card", token: "tok_visa" },
    ...overrides,
  };
}

function reasonOf({ amount, method }: ChargeRequest): string | undefined {
  try {
    checkChargeMethod(amount, method);
    return undefined;
  } catch (err) {
    if (err instanceof DomainError) return `${err.kind}:${err.reason}:${err.context.metadata?.field}`;
    throw err;
  }
}

const yen = (amountMinor: number) => ({ currency: "JPY", amountMinor });
const konbini = (store?: string) => ({ type: "konbini", token: "", ...(store === undefined ? {} : { store }) });

// Key, checkout id, amount, a known type, a well-formed token and a listed store are field rules
// (payment.proto), checked before the handler runs; what spans fields is the domain's.
describe("checkChargeMethod", () => {
  it("accepts a card with a token", () => {
    expect(reasonOf(buildRequest())).toBeUndefined();
  });

  it.each([
    ["¥120, the smallest", yen(120), undefined],
    ["¥300,000, the largest", yen(300_000), undefined],
    ["a named store", yen(4_480), "familymart"],
  ])("accepts konbini at %s", (_name, amount, store) => {
    expect(reasonOf(buildRequest({ amount, method: konbini(store) }))).toBeUndefined();
  });

  it.each([
    [
      "a card naming a store",
      { method: { type: "card", token: "tok_visa", store: "lawson" } },
      "invalid_argument:INVALID_PAYMENT_METHOD:payment_method.store",
    ],
    [
      "a card without a token",
      { method: { type: "card", token: "" } },
      "invalid_argument:INVALID_PAYMENT_METHOD:payment_method.token",
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
  ] as const)("refuses %s", (_name, overrides, expected) => {
    expect(reasonOf(buildRequest(overrides))).toBe(expected);
  });
});

describe("requestFingerprint", () => {
  const fingerprint = (overrides: Partial<ChargeRequest> = {}) => requestFingerprint(buildRequest(overrides));

  it("keeps a card's digest what it was before konbini stores existed", () => {
    const before = createHash("sha256")
      .update(JSON.stringify(["checkout-1", "USD", 1299, "card", "tok_visa"]))
      .digest("hex");
    expect(fingerprint()).toBe(before);
  });

  it("changes with a konbini payment's store", () => {
    const konbiniFingerprint = (store?: string) => fingerprint({ amount: yen(1_000), method: konbini(store) });
    expect(konbiniFingerprint("lawson")).not.toBe(konbiniFingerprint());
    expect(konbiniFingerprint("lawson")).not.toBe(konbiniFingerprint("familymart"));
  });

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
