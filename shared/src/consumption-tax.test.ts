import { describe, expect, it } from "vitest";
import { checkoutTotals, includedTax, type TaxableLine } from "./consumption-tax.js";
import { money } from "./money.js";

const yen = (n: number) => money("JPY", n);
const line = (amount: number, taxClass: TaxableLine["taxClass"] = "standard"): TaxableLine => ({
  amount: yen(amount),
  taxClass,
});

describe("included consumption tax", () => {
  it("computes each rate once on that rate's total, rounded down — not summed from rounded lines", () => {
    // Per line floor(1000 × 10 / 110) = 90, three lines 270; on the total floor(3000 × 10 / 110) = 272.
    expect(includedTax([line(1000), line(1000), line(1000)], "JPY")?.lines).toEqual([
      { ratePercent: 10, taxable: yen(3000), tax: yen(272) },
    ]);
    // Reduced: per line floor(1010 × 8 / 108) = 74, two lines 148; on the total floor(2020 × 8 / 108) = 149.
    expect(includedTax([line(1010, "reduced"), line(1010, "reduced")], "JPY")?.lines).toEqual([
      { ratePercent: 8, taxable: yen(2020), tax: yen(149) },
    ]);
  });

  it("keeps rates apart, highest first", () => {
    // Laptop ¥189,800 standard, Matcha ¥1,620 ×3 reduced.
    const tax = includedTax([line(189800), line(4860, "reduced")], "JPY");
    expect(tax).toEqual({
      included: true,
      lines: [
        { ratePercent: 10, taxable: yen(189800), tax: yen(17254) },
        { ratePercent: 8, taxable: yen(4860), tax: yen(360) },
      ],
    });
  });

  it("shows only the rates present, and nothing for a currency without a tax table", () => {
    expect(includedTax([line(1620, "reduced")], "JPY")?.lines.map((l) => l.ratePercent)).toEqual([8]);
    expect(includedTax([{ amount: money("USD", 1499), taxClass: "reduced" }], "USD")).toBeNull();
  });

  it("totals: subtotal, zero points, total charged, tax", () => {
    expect(checkoutTotals([line(1000), line(2000)], "JPY")).toEqual({
      subtotal: yen(3000),
      pointsRedeemed: yen(0),
      total: yen(3000),
      tax: { included: true, lines: [{ ratePercent: 10, taxable: yen(3000), tax: yen(272) }] },
    });
    expect(checkoutTotals([{ amount: money("USD", 2999), taxClass: "standard" }], "USD").tax).toBeNull();
  });
});
