import { describe, expect, it } from "vitest";
import {
  checkPaymentTakesTotal,
  type InitiateCheckoutInput,
  parseCheckoutRequest,
  requestFingerprint,
} from "./checkout-request.js";

const input = (over: Partial<InitiateCheckoutInput> = {}): InitiateCheckoutInput => ({
  userId: "u1",
  idempotencyKey: "key-1",
  paymentMethod: { type: "card", token: "tok_visa" },
  shippingAddress: {
    name: "Ada",
    phone: "+1-555-0100",
    postalCode: "94105",
    region: "CA",
    city: "San Francisco",
    line1: "1 Market St",
    line2: "",
    country: "US",
  },
  stepMode: false,
  points: 0,
  ...over,
});

describe("parseCheckoutRequest", () => {
  it("takes a request as it was asked for: field rules checked it before", () => {
    const req = parseCheckoutRequest(input());
    expect(req.userId).toBe("u1");
    expect(req.paymentMethod).toEqual({ type: "card", token: "tok_visa" });
    expect(req.shippingAddress).toEqual(input().shippingAddress);
  });

  it.each([
    ["a card without a token", { type: "card", token: "" }, "invalid_argument", "INVALID_PAYMENT_METHOD"],
    [
      "a card naming a store",
      { type: "card", token: "tok_visa", store: "lawson" },
      "invalid_argument",
      "INVALID_PAYMENT_METHOD",
    ],
    ["konbini with a token", { type: "konbini", token: "tok_visa" }, "invalid_argument", "INVALID_PAYMENT_METHOD"],
  ])("refuses %s before anything is reserved", (_name, paymentMethod, kind, reason) => {
    expect(() => parseCheckoutRequest(input({ paymentMethod }))).toThrow(expect.objectContaining({ kind, reason }));
  });

  it("takes konbini, with or without a store", () => {
    expect(parseCheckoutRequest(input({ paymentMethod: { type: "konbini", token: "" } })).paymentMethod).toEqual({
      type: "konbini",
    });
    const atLawson = parseCheckoutRequest(input({ paymentMethod: { type: "konbini", token: "", store: "lawson" } }));
    expect(atLawson.paymentMethod).toEqual({ type: "konbini", store: "lawson" });
  });

  it("fails loudly when a required message is missing (a caller bypassed the rules)", () => {
    expect(() => parseCheckoutRequest(input({ paymentMethod: undefined }))).toThrow(/payment method or address/);
  });
});

describe("checkPaymentTakesTotal", () => {
  const konbini = { type: "konbini" } as const;
  const yen = (amountMinor: number) => ({ currency: "JPY", amountMinor });

  it.each([
    ["USD", { currency: "USD", amountMinor: 1_000 }, "KONBINI_CURRENCY_UNSUPPORTED"],
    ["¥119", yen(119), "KONBINI_AMOUNT_OUT_OF_RANGE"],
    ["¥300,001", yen(300_001), "KONBINI_AMOUNT_OUT_OF_RANGE"],
  ])("refuses konbini for %s", (_name, total, reason) => {
    expect(() => checkPaymentTakesTotal(konbini, total)).toThrow(
      expect.objectContaining({ kind: "failed_precondition", reason }),
    );
  });

  it("takes konbini from ¥120 to ¥300,000, and a card for any total", () => {
    expect(() => checkPaymentTakesTotal(konbini, yen(120))).not.toThrow();
    expect(() => checkPaymentTakesTotal(konbini, yen(300_000))).not.toThrow();
    expect(() => checkPaymentTakesTotal({ type: "card", token: "tok_visa" }, yen(1))).not.toThrow();
  });

  it("takes a total of zero (paid in points) with konbini: no payment is made", () => {
    expect(() => checkPaymentTakesTotal(konbini, yen(0))).not.toThrow();
  });
});

describe("requestFingerprint", () => {
  const fp = (over: Partial<InitiateCheckoutInput> = {}) => requestFingerprint(parseCheckoutRequest(input(over)));

  it("is the same for the same body, whatever the key", () => {
    expect(fp()).toBe(fp({ idempotencyKey: "other" }));
    expect(fp()).toMatch(/^[0-9a-f]{64}$/);
  });

  it("differs when the payment method, address or step mode differ", () => {
    expect(fp({ paymentMethod: { type: "card", token: "tok_chargeDeclined" } })).not.toBe(fp());
    expect(fp({ stepMode: true })).not.toBe(fp());
    const base = input();
    expect(fp({ shippingAddress: { ...base.shippingAddress!, line2: "Apt 2" } })).not.toBe(fp());
  });

  it("differs when the points differ, and is the fingerprint from before points without any", () => {
    expect(fp({ points: 100 })).not.toBe(fp());
    expect(fp({ points: 100 })).not.toBe(fp({ points: 50 }));
    // The canonical JSON as it was before points existed: keys stored then still match.
    expect(fp()).toBe("7d9670f5716ebe13e8785ac59937161ceae88e304a9dd88f8d2660f8683dc1e7");
  });
});
