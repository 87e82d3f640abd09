import { POINTS_CURRENCY } from "@checkout-saga/shared";

/** A completed checkout earns 1% of what was charged (not of what points paid), rounded down. */
export function earnedPoints(charged: { currency: string; amountMinor: number }): number {
  if (charged.currency !== POINTS_CURRENCY) return 0;
  return Math.floor(charged.amountMinor / 100);
}

/** What a checkout earned, and how much of its charge cancellations have refunded so far. */
export interface Earning {
  checkoutId: string;
  userId: string;
  /** Points the checkout earned (0 for a checkout charged nothing, or not in yen). */
  points: number;
  /** The amount charged, in yen. */
  chargedMinor: number;
  /** The refunds of the cancellations already applied, summed. */
  refundedMinor: number;
  /** Set once a cancellation cancelled the whole order: everything earned is taken back. */
  fullyCancelled: boolean;
}

/** One order cancellation, as it concerns the points its checkout earned. */
export interface CancellationRefund {
  refundedMinor: number;
  /** The order is CANCELLED after it (every line is). */
  ordersLastLines: boolean;
}

/**
 * The points one cancellation takes back, pro rata to its refund. Computed cumulatively —
 * floor(E·after/C) − floor(E·before/C) — so the cancellations of one order together take back
 * exactly floor(E·refunded/C) whatever their split, and rounding never drifts; the cancellation
 * that ends the order takes back all of E still earned. BigInt, as E·C passes 2^53 long before C does.
 */
export function pointsToTakeBack(earning: Earning, cancellation: CancellationRefund): number {
  if (earning.fullyCancelled || earning.points === 0) return 0;
  const taken = share(earning, earning.refundedMinor);
  if (cancellation.ordersLastLines) return earning.points - taken;
  return share(earning, earning.refundedMinor + cancellation.refundedMinor) - taken;
}

/** floor(E·refunded/C), capped at E. */
function share(earning: Earning, refundedMinor: number): number {
  if (refundedMinor >= earning.chargedMinor) return earning.points;
  return Number((BigInt(earning.points) * BigInt(refundedMinor)) / BigInt(earning.chargedMinor));
}

/** The earning once `cancellation` is applied to it. */
export function afterCancellation(earning: Earning, cancellation: CancellationRefund): Earning {
  return {
    ...earning,
    refundedMinor: earning.refundedMinor + cancellation.refundedMinor,
    fullyCancelled: earning.fullyCancelled || cancellation.ordersLastLines,
  };
}

/**
 * The history reason of a take-back. The balance never goes negative: when the earned points
 * were already spent, only what the balance holds is taken and the rest is written off, named in
 * the reason (`taken_back (short 30: already spent)`) so the history explains the gap.
 */
export function takeBackReason(shortfall: number): string {
  return shortfall === 0 ? "taken_back" : `taken_back (short ${shortfall}: already spent)`;
}
