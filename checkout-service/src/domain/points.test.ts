import { describe, expect, it } from "vitest";
import { redeemPointsFrom } from "./points.js";
import { type CatalogEntry, priceCart } from "./pricing.js";

const yen = (amountMinor: number) => ({ currency: "JPY", amountMinor });
const keyboard = (price: { currency: string; amountMinor: number }): CatalogEntry => ({
  id: "3",
  name: "Keyboard",
  price,
  taxClass: "standard",
  sellable: true,
});
const priced = (price = yen(13_200)) => priceCart([{ productId: "3", quantity: 1 }], [keyboard(price)], price.currency);

describe("redeemPointsFrom", () => {
  it("takes the points off the total; the tax contained stays the goods'", () => {
    const cart = redeemPointsFrom(priced(), 100);
    expect(cart.total).toEqual(yen(13_100));
    expect(cart.totals).toEqual({
      subtotal: yen(13_200),
      pointsRedeemed: yen(100),
      total: yen(13_100),
      tax: { included: true, lines: [{ ratePercent: 10, taxable: yen(13_200), tax: yen(1_200) }] },
    });
  });

  it("leaves a cart without points as priced, in any currency", () => {
    const usd = priced({ currency: "USD", amountMinor: 8_999 });
    expect(redeemPointsFrom(usd, 0)).toBe(usd);
  });

  it("may pay all of it: nothing is left to charge", () => {
    expect(redeemPointsFrom(priced(), 13_200).totals).toMatchObject({ pointsRedeemed: yen(13_200), total: yen(0) });
  });

  it.each([
    ["more points than the total", priced(), 13_201, "POINTS_EXCEED_TOTAL"],
    ["points on a USD cart", priced({ currency: "USD", amountMinor: 8_999 }), 1, "POINTS_CURRENCY_UNSUPPORTED"],
  ])("refuses %s before anything is reserved", (_name, cart, points, reason) => {
    expect(() => redeemPointsFrom(cart, points)).toThrow(
      expect.objectContaining({ kind: "failed_precondition", reason }),
    );
  });
});
