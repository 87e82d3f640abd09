import { describe, expect, it } from "vitest";
import { DomainError } from "./errors.js";
import { checkPaymentMethod, type PaymentMethodFields } from "./payment-method.js";

function refusal(method: PaymentMethodFields): string | undefined {
  try {
    checkPaymentMethod(method);
    return undefined;
  } catch (err) {
    if (err instanceof DomainError) return `${err.kind}:${err.reason}:${err.context.metadata?.field}`;
    throw err;
  }
}

describe("checkPaymentMethod", () => {
  it.each<PaymentMethodFields>([
    { type: "card", token: "tok_visa" },
    { type: "konbini", token: "" },
    { type: "konbini", token: "", store: "lawson" },
  ])("accepts %j", (method) => {
    expect(refusal(method)).toBeUndefined();
  });

  it.each<[string, PaymentMethodFields, string]>([
    ["a card without a token", { type: "card", token: "" }, "payment_method.token"],
    ["a card naming a store", { type: "card", token: "tok_visa", store: "lawson" }, "payment_method.store"],
    ["konbini with a token", { type: "konbini", token: "tok_visa" }, "payment_method.token"],
  ])("refuses %s, naming the field", (_name, method, field) => {
    expect(refusal(method)).toBe(`invalid_argument:INVALID_PAYMENT_METHOD:${field}`);
  });
});
