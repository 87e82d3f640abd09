import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import type { CatalogEntry } from "./pricing.js";
import { priceCart } from "./pricing.js";

const usd = (amountMinor: number) => ({ currency: "USD", amountMinor });
const yen = (amountMinor: number) => ({ currency: "JPY", amountMinor });
const laptop: CatalogEntry = { id: "1", name: "Laptop", price: usd(129999), taxClass: "standard", sellable: true };
const mouse: CatalogEntry = { id: "2", name: "Mouse", price: usd(2999), taxClass: "standard", sellable: true };

describe("priceCart", () => {
  it("prices lines from the catalog and sums them in minor units; USD carries no tax breakdown", () => {
    const priced = priceCart(
      [
        { productId: "1", quantity: 1 },
        { productId: "2", quantity: 2 },
      ],
      [mouse, laptop],
      "USD",
    );
    expect(priced.total).toEqual(usd(135997));
    expect(priced.items).toEqual([
      { productId: "1", name: "Laptop", quantity: 1, unitPriceMinor: 129999 },
      { productId: "2", name: "Mouse", quantity: 2, unitPriceMinor: 2999 },
    ]);
    expect(priced.totals).toEqual({ subtotal: usd(135997), pointsRedeemed: usd(0), total: usd(135997), tax: null });
  });

  it("JPY: the tax contained per rate, each computed once on its rate's total", () => {
    const priced = priceCart(
      [
        { productId: "2", quantity: 3 },
        { productId: "6", quantity: 3 },
      ],
      [
        { id: "2", name: "Mouse", price: yen(1000), taxClass: "standard", sellable: true },
        { id: "6", name: "Matcha", price: yen(1620), taxClass: "reduced", sellable: true },
      ],
      "JPY",
    );
    expect(priced.totals).toEqual({
      subtotal: yen(7860),
      pointsRedeemed: yen(0),
      total: yen(7860),
      tax: {
        included: true,
        lines: [
          // floor(3000 × 10 / 110) = 272, not 3 × floor(1000 × 10 / 110) = 270.
          { ratePercent: 10, taxable: yen(3000), tax: yen(272) },
          { ratePercent: 8, taxable: yen(4860), tax: yen(360) },
        ],
      },
    });
  });

  it("refuses an empty cart", () => {
    expect(() => priceCart([], [laptop], "USD")).toThrow(expect.objectContaining({ reason: "CART_EMPTY" }));
  });

  it("names a product that left the catalog", () => {
    try {
      priceCart([{ productId: "9", quantity: 1 }], [laptop], "USD");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).reason).toBe("PRODUCT_NOT_FOUND");
      expect((err as DomainError).context.metadata).toEqual({ product_id: "9" });
    }
  });

  it("names a product with no price in the cart's currency", () => {
    const { price: _, ...unpriced } = laptop;
    expect(() => priceCart([{ productId: "1", quantity: 1 }], [unpriced], "JPY")).toThrow(
      expect.objectContaining({
        reason: "PRODUCT_NOT_PRICED",
        context: { metadata: { product_id: "1", currency: "JPY" } },
      }),
    );
  });

  it("names a product an admin took off sale, even one already in the cart", () => {
    expect(() => priceCart([{ productId: "1", quantity: 1 }], [{ ...laptop, sellable: false }], "USD")).toThrow(
      expect.objectContaining({ reason: "PRODUCT_NOT_SELLABLE", context: { metadata: { product_id: "1" } } }),
    );
  });
});
