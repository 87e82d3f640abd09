import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { priceCart } from "./pricing.js";

const laptop = { id: "1", name: "Laptop", price: { currency: "USD", amountMinor: 129999 } };
const mouse = { id: "2", name: "Mouse", price: { currency: "USD", amountMinor: 2999 } };

describe("priceCart", () => {
  it("prices lines from the catalog and sums them in minor units", () => {
    const priced = priceCart(
      [
        { productId: "1", quantity: 1 },
        { productId: "2", quantity: 2 },
      ],
      [mouse, laptop],
    );
    expect(priced.total).toEqual({ currency: "USD", amountMinor: 135997 });
    expect(priced.items).toEqual([
      { productId: "1", name: "Laptop", quantity: 1, unitPriceMinor: 129999 },
      { productId: "2", name: "Mouse", quantity: 2, unitPriceMinor: 2999 },
    ]);
  });

  it("refuses an empty cart", () => {
    expect(() => priceCart([], [laptop])).toThrow(expect.objectContaining({ reason: "CART_EMPTY" }));
  });

  it("names a product that left the catalog", () => {
    try {
      priceCart([{ productId: "9", quantity: 1 }], [laptop]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).reason).toBe("PRODUCT_NOT_FOUND");
      expect((err as DomainError).context.metadata).toEqual({ product_id: "9" });
    }
  });

  it("refuses mixed currencies", () => {
    const yen = { id: "3", name: "Tea", price: { currency: "JPY", amountMinor: 500 } };
    expect(() =>
      priceCart(
        [
          { productId: "1", quantity: 1 },
          { productId: "3", quantity: 1 },
        ],
        [laptop, yen],
      ),
    ).toThrow(expect.objectContaining({ reason: "MIXED_CURRENCIES" }));
  });
});
