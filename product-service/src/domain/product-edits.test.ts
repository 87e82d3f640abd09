import { DomainError, money } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { seedProducts } from "./product.js";
import { applyPatch, patchDetails, productFromDraft, productPrices } from "./product-edits.js";

const draft = {
  name: "Tea cup",
  description: "",
  prices: [
    { currency: "USD", amountMinor: 2400 },
    { currency: "JPY", amountMinor: 3300 },
  ],
  taxClass: "standard" as const,
  imageUrl: "",
};

describe("product edits", () => {
  it("makes a draft a product on sale, its prices ordered by currency", () => {
    expect(productFromDraft("p1", draft)).toEqual({
      id: "p1",
      name: "Tea cup",
      description: "",
      prices: [money("JPY", 3300), money("USD", 2400)],
      taxClass: "standard",
      imageUrl: "",
      sellable: true,
    });
  });

  it("refuses two prices in one currency, and a code outside ISO 4217, naming it", () => {
    const twice = () => productPrices([...draft.prices, { currency: "USD", amountMinor: 1 }]);
    expect(twice).toThrow(DomainError);
    expect(twice).toThrow("two prices in USD");
    expect(() => productPrices([{ currency: "ABC", amountMinor: 1 }])).toThrow(/ABC/);
  });

  it("applies only what a patch sets, and records only that", () => {
    const mouse = seedProducts[1]!;
    expect(applyPatch(mouse, { sellable: false })).toEqual({ ...mouse, sellable: false });
    expect(applyPatch(mouse, {})).toEqual(mouse);
    const patch = { prices: [money("USD", 3499)], description: undefined };
    expect(applyPatch(mouse, patch)).toEqual({ ...mouse, prices: [money("USD", 3499)] });
    expect(patchDetails(patch)).toEqual({ prices: [{ currency: "USD", amountMinor: 3499 }] });
  });
});
