import { failedPrecondition } from "@checkout-saga/shared";

/** Points the user holds from one earning: `remaining` of the `earned` ones, until `expiresAt`. */
export interface PointsLot {
  id: string;
  userId: string;
  /** The checkout that earned it. */
  checkoutId: string;
  earned: number;
  remaining: number;
  earnedAt: Date;
  expiresAt: Date;
}

/** Points one redemption took from one lot, and how many of them came back since. */
export interface LotDraw {
  lotId: string;
  taken: number;
  returned: number;
}

/** Points moved to or from one lot by one change. */
export interface LotMove {
  lotId: string;
  points: number;
}

/** Lots earn for a year: the lot of a checkout completed at `earnedAt` expires 365 days later. */
const LOT_LIFETIME_DAYS = 365;

export function lotExpiry(earnedAt: Date): Date {
  return new Date(earnedAt.getTime() + LOT_LIFETIME_DAYS * 24 * 3600 * 1000);
}

/** A lot counts towards the balance until the instant it expires. */
const isSpendable = (lot: PointsLot, now: Date) => lot.remaining > 0 && lot.expiresAt > now;

/** The balance: what the lots not yet expired still hold. */
export function balanceOf(lots: readonly PointsLot[], now: Date): number {
  return lots.filter((l) => isSpendable(l, now)).reduce((sum, l) => sum + l.remaining, 0);
}

/** Spendable lots in the order points leave them: soonest expiry first, then the older earning, then by id (stable). */
export function spendingOrder(lots: readonly PointsLot[], now: Date): PointsLot[] {
  return lots
    .filter((l) => isSpendable(l, now))
    .sort(
      (a, b) =>
        a.expiresAt.getTime() - b.expiresAt.getTime() ||
        a.earnedAt.getTime() - b.earnedAt.getTime() ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
}

/**
 * Takes `points` from `lots`, soonest expiry first (FIFO by expiry, so the points closest to
 * being lost are spent first). More than the balance takes nothing: POINTS_INSUFFICIENT.
 */
export function drawPoints(lots: readonly PointsLot[], points: number, now: Date): LotMove[] {
  const balance = balanceOf(lots, now);
  if (points > balance) {
    throw failedPrecondition("POINTS_INSUFFICIENT", `${points} points were asked; the balance is ${balance}`, {
      metadata: { requested: String(points), balance: String(balance) },
    });
  }
  return takeUpTo(lots, points, now);
}

/** Takes at most `points` (less when the balance is smaller), soonest expiry first. */
export function takeUpTo(lots: readonly PointsLot[], points: number, now: Date): LotMove[] {
  const moves: LotMove[] = [];
  let left = points;
  for (const lot of spendingOrder(lots, now)) {
    if (left === 0) break;
    const n = Math.min(left, lot.remaining);
    moves.push({ lotId: lot.id, points: n });
    left -= n;
  }
  return moves;
}

/**
 * Gives `points` of a redemption back to the lots it drew from (so they keep those lots'
 * expiry). A partial return refills the lots drawn from last first: what the redemption took
 * first came from the lots closest to expiry, so the points given back keep the longest life
 * left and a later full return still finds its own lots. `draws` are in the order they were
 * taken; more than is left to return is RETURN_EXCEEDS_REDEMPTION.
 */
export function returnToLots(draws: readonly LotDraw[], points: number): LotMove[] {
  const left = draws.reduce((sum, d) => sum + d.taken - d.returned, 0);
  if (points > left) throw returnExceedsRedemption(points, left);
  const moves: LotMove[] = [];
  let toReturn = points;
  for (const draw of [...draws].reverse()) {
    if (toReturn === 0) break;
    const n = Math.min(toReturn, draw.taken - draw.returned);
    if (n > 0) moves.push({ lotId: draw.lotId, points: n });
    toReturn -= n;
  }
  return moves;
}

/** More points asked back than a redemption has left to return: nothing is returned. */
export const returnExceedsRedemption = (requested: number, returnable: number) =>
  failedPrecondition(
    "RETURN_EXCEEDS_REDEMPTION",
    `${requested} points were asked back; ${returnable} are left to return`,
    {
      metadata: { requested: String(requested), returnable: String(returnable) },
    },
  );
