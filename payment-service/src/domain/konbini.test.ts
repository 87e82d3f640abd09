import { randomInt } from "node:crypto";
import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { newConfirmationNumber, validateKonbiniCharge, voucherExpiry } from "./konbini.js";

function reasonOf(currency: string, amountMinor: number): string | undefined {
  try {
    validateKonbiniCharge({ currency, amountMinor });
    return undefined;
  } catch (err) {
    if (err instanceof DomainError) return err.reason;
    throw err;
  }
}

describe("konbini limits", () => {
  it.each([120, 121, 189_800, 299_999, 300_000])("accepts ¥%i", (amount) => {
    expect(reasonOf("JPY", amount)).toBeUndefined();
  });

  it.each([1, 119, 300_001, 1_000_000])("refuses ¥%i as out of range, naming the limits", (amount) => {
    expect(reasonOf("JPY", amount)).toBe("KONBINI_AMOUNT_OUT_OF_RANGE");
    expect(() => validateKonbiniCharge({ currency: "JPY", amountMinor: amount })).toThrow(
      expect.objectContaining({
        kind: "invalid_argument",
        context: {
          metadata: { field: "amount.amount_minor", min_amount_minor: "120", max_amount_minor: "300000" },
        },
      }),
    );
  });

  it.each(["USD", "EUR"])("refuses %s: konbini is yen only", (currency) => {
    expect(reasonOf(currency, 1_000)).toBe("KONBINI_CURRENCY_UNSUPPORTED");
  });
});

describe("confirmation numbers", () => {
  it("are 11 digits, never starting with 0, at both ends of the draw", () => {
    expect(newConfirmationNumber((min) => min)).toBe("10000000000");
    expect(newConfirmationNumber((_min, max) => max - 1)).toBe("99999999999");
  });

  it("come out 11 digits and different from a cryptographic source", () => {
    const drawn = Array.from({ length: 1_000 }, () => newConfirmationNumber(randomInt));
    for (const number of drawn) expect(number).toMatch(/^[1-9]\d{10}$/);
    expect(new Set(drawn).size).toBe(drawn.length);
  });
});

describe("voucherExpiry", () => {
  it("is the given number of seconds after the charge", () => {
    const at = new Date("2026-03-01T12:00:00Z");
    expect(voucherExpiry(at, 259_200)).toEqual(new Date("2026-03-04T12:00:00Z"));
  });
});
