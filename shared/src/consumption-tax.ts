import { type Amount, addMoney, money, sumMoney } from "./money.js";

/** A product's tax class: which rate of a currency's tax table applies to it. */
export type TaxClass = "standard" | "reduced";
export const taxClasses: readonly TaxClass[] = ["standard", "reduced"];

/**
 * Tax tables by currency, in whole percent. Prices in these currencies include the tax;
 * other currencies carry no tax breakdown. JPY: Japanese consumption tax, 10% standard,
 * 8% reduced (food and drink).
 */
export const includedTaxRates: Readonly<Record<string, Record<TaxClass, number>>> = {
  JPY: { standard: 10, reduced: 8 },
};

/** The tax one rate's lines contain. */
export interface TaxLine {
  /** Whole percent, e.g. 10. */
  ratePercent: number;
  /** The tax-inclusive total of the lines at this rate. */
  taxable: Amount;
  tax: Amount;
}

export interface TaxBreakdown {
  /** Always true here: the prices include the tax, the breakdown shows what they contain. */
  included: true;
  /** Highest rate first. */
  lines: TaxLine[];
}

export interface TaxableLine {
  /** The line's tax-inclusive amount (unit price × quantity). */
  amount: Amount;
  taxClass: TaxClass;
}

/**
 * The tax contained in tax-inclusive lines, per rate: computed once on each rate's total and
 * rounded down (Japan's qualified-invoice rule), never summed from rounded lines —
 * tax = floor(taxable × rate / (100 + rate)). Null for a currency without a tax table.
 */
export function includedTax(lines: TaxableLine[], currency: string): TaxBreakdown | null {
  const rates = includedTaxRates[currency];
  if (!rates) return null;
  const byRate = new Map<number, Amount>();
  for (const line of lines) {
    const rate = rates[line.taxClass];
    byRate.set(rate, addMoney(byRate.get(rate) ?? money(currency, 0), line.amount));
  }
  return {
    included: true,
    lines: [...byRate.entries()]
      .sort(([a], [b]) => b - a)
      .map(([ratePercent, taxable]) => ({
        ratePercent,
        taxable,
        tax: money(currency, Math.floor((taxable.amountMinor * ratePercent) / (100 + ratePercent))),
      })),
  };
}

/** What a checkout and its order show: the lines' sum, points taken off, what is charged, the tax contained. */
export interface Totals {
  subtotal: Amount;
  pointsRedeemed: Amount;
  total: Amount;
  tax: TaxBreakdown | null;
}

/** Totals of priced lines in one currency. Points are not redeemed yet (a later issue): zero. */
export function checkoutTotals(lines: TaxableLine[], currency: string): Totals {
  const subtotal = sumMoney(
    lines.map((l) => l.amount),
    currency,
  );
  return { subtotal, pointsRedeemed: money(currency, 0), total: subtotal, tax: includedTax(lines, currency) };
}
