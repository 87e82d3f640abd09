import { getExtension, getOption } from "@bufbuild/protobuf";
import { field, predefined } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { data as iso4217 } from "currency-codes";
import { describe, expect, it } from "vitest";
import { DomainError } from "./errors.js";
import { SetCartCurrencyRequestSchema } from "./gen/checkoutsaga/cart/v1/cart_pb.js";
import { iso4217_currency } from "./gen/checkoutsaga/common/v1/rules_pb.js";
import {
  GetProductRequestSchema,
  GetProductsRequestSchema,
  ListProductsRequestSchema,
  ValidateProductsRequestSchema,
} from "./gen/checkoutsaga/product/v1/product_pb.js";
import {
  addMoney,
  CURRENCY_CODES,
  currencyExponent,
  formatMoney,
  isKnownCurrency,
  money,
  parseMoney,
} from "./money.js";

describe("money", () => {
  it("takes minor-unit exponents from the ISO 4217 table", () => {
    expect(currencyExponent("USD")).toBe(2);
    expect(currencyExponent("JPY")).toBe(0);
    expect(currencyExponent("BHD")).toBe(3);
  });

  it("refuses an unknown or non-money code with a precise error", () => {
    for (const code of ["ABC", "usd", "XXX", "XTS", "XAU", "", "US"]) {
      expect(isKnownCurrency(code)).toBe(false);
      expect(() => money(code, 1)).toThrow(DomainError);
    }
    expect(() => currencyExponent("ABC")).toThrow('ISO 4217 currency code such as USD or JPY, got "ABC"');
  });

  it("parses decimals exactly, with no more places than the currency has", () => {
    expect(parseMoney("USD", "14.99")).toEqual({ currency: "USD", amountMinor: 1499 });
    expect(parseMoney("USD", "1299.9")).toEqual({ currency: "USD", amountMinor: 129990 });
    expect(parseMoney("JPY", "1620")).toEqual({ currency: "JPY", amountMinor: 1620 });
    expect(parseMoney("BHD", "1.005")).toEqual({ currency: "BHD", amountMinor: 1005 });
    expect(() => parseMoney("JPY", "1620.5")).toThrow("JPY has 0 decimal places");
    expect(() => parseMoney("USD", "1.999")).toThrow("USD has 2 decimal places");
    expect(() => parseMoney("USD", "1e3")).toThrow(RangeError);
  });

  it("formats with the currency's own decimals", () => {
    expect(formatMoney(money("USD", 129999))).toBe("USD 1,299.99");
    expect(formatMoney(money("USD", 5))).toBe("USD 0.05");
    expect(formatMoney(money("JPY", 189800))).toBe("JPY 189,800");
    expect(formatMoney(money("JPY", -1620))).toBe("JPY -1,620");
  });

  it("never mixes currencies", () => {
    expect(() => addMoney(money("USD", 1), money("JPY", 1))).toThrow("cannot add USD and JPY");
  });

  it("states the same currencies in the predefined field rule as the table (what the REST document lists)", () => {
    const { expression } = getOption(iso4217_currency, predefined).cel[0] ?? {};
    const listed = [...(expression ?? "").matchAll(/'([A-Z]{3})'/g)].map((m) => m[1]);
    expect(listed).toEqual(CURRENCY_CODES);
    expect(CURRENCY_CODES).toEqual(
      iso4217
        .map((r) => r.code)
        .filter(isKnownCurrency)
        .sort(),
    );
  });

  it("puts that rule on every currency a request names", () => {
    for (const schema of [
      GetProductRequestSchema,
      GetProductsRequestSchema,
      ListProductsRequestSchema,
      ValidateProductsRequestSchema,
      SetCartCurrencyRequestSchema,
    ]) {
      const currency = schema.fields.find((f) => f.name === "currency");
      const rules = currency && getOption(currency, field);
      const stringRules = rules?.type.case === "string" ? rules.type.value : undefined;
      expect([schema.typeName, stringRules && getExtension(stringRules, iso4217_currency)]).toEqual([
        schema.typeName,
        true,
      ]);
    }
  });
});
