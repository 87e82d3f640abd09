import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { type InitiateCheckoutInput, parseCheckoutRequest, requestFingerprint } from "./checkout-request.js";

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
  ...over,
});

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
  }
  throw new Error("expected a DomainError");
}

describe("parseCheckoutRequest", () => {
  it("accepts a complete request and trims it", () => {
    const req = parseCheckoutRequest(input({ userId: " u1 " }));
    expect(req.userId).toBe("u1");
    expect(req.paymentMethod).toEqual({ type: "card", token: "tok_visa" });
  });

  it.each([
    ["", "user_id"],
    ["x".repeat(129), "user_id"],
  ])("refuses user id %j", (userId, field) => {
    const err = errorOf(() => parseCheckoutRequest(input({ userId })));
    expect([err.reason, err.context.metadata?.field]).toEqual(["INVALID_ARGUMENT", field]);
  });

  it.each(["", "k".repeat(256), "schlüssel", "tab\there"])("refuses idempotency key %j", (idempotencyKey) => {
    const err = errorOf(() => parseCheckoutRequest(input({ idempotencyKey })));
    expect([err.reason, err.context.metadata?.field]).toEqual(["INVALID_ARGUMENT", "idempotency_key"]);
  });

  it("refuses a payment method that is not a card with a token", () => {
    const wrongType = errorOf(() => parseCheckoutRequest(input({ paymentMethod: { type: "cash", token: "x" } })));
    expect([wrongType.reason, wrongType.context.metadata?.field]).toEqual([
      "INVALID_PAYMENT_METHOD",
      "payment_method.type",
    ]);
    const noToken = errorOf(() => parseCheckoutRequest(input({ paymentMethod: { type: "card", token: " " } })));
    expect(noToken.context.metadata?.field).toBe("payment_method.token");
    const missing = errorOf(() => parseCheckoutRequest(input({ paymentMethod: undefined })));
    expect(missing.reason).toBe("INVALID_PAYMENT_METHOD");
  });

  it.each([
    [{ postalCode: "" }, "shipping_address.postal_code"],
    [{ country: "us" }, "shipping_address.country"],
    [{ country: "USA" }, "shipping_address.country"],
    [{ city: "c".repeat(101) }, "shipping_address.city"],
    [{ phone: "call me" }, "shipping_address.phone"],
  ])("refuses address %j", (change, field) => {
    const base = input();
    const err = errorOf(() =>
      parseCheckoutRequest({ ...base, shippingAddress: { ...base.shippingAddress!, ...change } }),
    );
    expect([err.reason, err.context.metadata?.field]).toEqual(["INVALID_ADDRESS", field]);
  });
});

describe("requestFingerprint", () => {
  const fp = (over: Partial<InitiateCheckoutInput> = {}) => requestFingerprint(parseCheckoutRequest(input(over)));

  it("is the same for the same normalized body, whatever the key", () => {
    expect(fp()).toBe(fp({ idempotencyKey: "other" }));
    expect(fp()).toMatch(/^[0-9a-f]{64}$/);
  });

  it("differs when the payment method, address or step mode differ", () => {
    expect(fp({ paymentMethod: { type: "card", token: "tok_chargeDeclined" } })).not.toBe(fp());
    expect(fp({ stepMode: true })).not.toBe(fp());
    const base = input();
    expect(fp({ shippingAddress: { ...base.shippingAddress!, line2: "Apt 2" } })).not.toBe(fp());
  });
});
