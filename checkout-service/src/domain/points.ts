import { failedPrecondition, money, POINTS_CURRENCY } from "@checkout-saga/shared";
import type { CheckoutRecord } from "./checkout-session.js";
import type { PricedCart } from "./pricing.js";

/**
 * Takes the points a checkout redeems off its priced total, before anything is reserved:
 * points on a cart in another currency (POINTS_CURRENCY_UNSUPPORTED) or more points than the
 * total (POINTS_EXCEED_TOTAL) are refused (FAILED_PRECONDITION, a 422). Whether the user holds
 * that many is the ledger's to say, in the saga's redemption step.
 *
 * The tax lines stay those of the goods: points are a means of payment (as in Japanese practice),
 * so the consumption tax contained is the price's, whichever tender pays which part of it.
 */
export function redeemPointsFrom(priced: PricedCart, points: number): PricedCart {
  if (points === 0) return priced;
  const { subtotal } = priced.totals;
  if (subtotal.currency !== POINTS_CURRENCY) {
    throw failedPrecondition(
      "POINTS_CURRENCY_UNSUPPORTED",
      `points pay for ${POINTS_CURRENCY} carts only; this cart is priced in ${subtotal.currency}`,
      { metadata: { field: "points", currency: subtotal.currency, accepted: POINTS_CURRENCY } },
    );
  }
  if (points > subtotal.amountMinor) {
    throw failedPrecondition(
      "POINTS_EXCEED_TOTAL",
      `${points} points are more than the total of ¥${subtotal.amountMinor}`,
      { metadata: { field: "points", requested: String(points), total_minor: String(subtotal.amountMinor) } },
    );
  }
  const total = money(POINTS_CURRENCY, subtotal.amountMinor - points);
  return { ...priced, total, totals: { ...priced.totals, pointsRedeemed: money(POINTS_CURRENCY, points), total } };
}

/** The points a checkout redeems: its totals' (checkouts from before totals existed redeemed none). */
export const pointsRedeemed = (checkout: Pick<CheckoutRecord, "totals">): number =>
  checkout.totals?.pointsRedeemed.amountMinor ?? 0;

/** Nothing is left to charge (points pay for all of it): no payment is made, whatever the method. */
export const nothingToCharge = (checkout: Pick<CheckoutRecord, "total">): boolean => checkout.total.amountMinor === 0;
