import { and, eq, gt, sql as raw } from "drizzle-orm";
import type { OrderCancellation, PointsReason, Redemption } from "../domain/points.js";
import type { Earning } from "../domain/points-earning.js";
import type { LotMove, PointsLot } from "../domain/points-lots.js";
import type { Transaction } from "./drizzle-transaction.js";
import {
  pointsAccounts,
  type pointsEarnings,
  pointsEntries,
  pointsLots,
  pointsRedemptions,
  type pointsTakeBacks,
} from "./points-schema.js";

// The row-level steps the points ledger's transactions are made of, and row ↔ domain mappings.

/** Locks (creating it if need be) the account row that serialises the user's changes. */
export async function lockAccount(tx: Transaction, userId: string, now: Date) {
  await tx.insert(pointsAccounts).values({ userId, createdAt: now }).onConflictDoNothing();
  await tx.select().from(pointsAccounts).where(eq(pointsAccounts.userId, userId)).for("update");
}

/** The user's lots that still hold points at `now`: lots are never deleted, so the rest only grow. */
export function spendableLotsOf(tx: Transaction, userId: string, now: Date): Promise<PointsLot[]> {
  return tx
    .select()
    .from(pointsLots)
    .where(and(eq(pointsLots.userId, userId), gt(pointsLots.remaining, 0), gt(pointsLots.expiresAt, now)));
}

export async function record(
  tx: Transaction,
  userId: string,
  entry: { delta: number; reason: PointsReason | string; checkoutId?: string; orderId?: string; at: Date },
) {
  await tx.insert(pointsEntries).values({
    userId,
    delta: entry.delta,
    reason: entry.reason,
    checkoutId: entry.checkoutId ?? null,
    orderId: entry.orderId ?? null,
    at: entry.at,
  });
}

/** Adds (or takes) each move's points to its lot; answers the lots as they are after. */
export const moveLots = async (tx: Transaction, moves: LotMove[], sign: 1 | -1): Promise<PointsLot[]> =>
  (
    await Promise.all(
      moves.map((m) =>
        tx
          .update(pointsLots)
          .set({ remaining: raw`${pointsLots.remaining} + ${sign * m.points}` })
          .where(eq(pointsLots.id, m.lotId))
          .returning(),
      ),
    )
  ).flat();

/**
 * Points given back to a lot already past its expiry leave the balance at once, with their
 * own `expired` entry: the sweeper may already have passed that lot.
 */
export async function expireReturnedLate(tx: Transaction, userId: string, returnedTo: PointsLot[], now: Date) {
  for (const lot of returnedTo) {
    if (lot.expiresAt <= now && lot.remaining > 0) await expireLot(tx, userId, lot, now);
  }
}

export async function expireLot(
  tx: Transaction,
  userId: string,
  lot: { id: string; remaining: number; checkoutId: string },
  now: Date,
) {
  await tx.update(pointsLots).set({ remaining: 0 }).where(eq(pointsLots.id, lot.id));
  await record(tx, userId, { delta: -lot.remaining, reason: "expired", checkoutId: lot.checkoutId, at: now });
}

export const lockRedemption = (tx: Transaction, key: string) =>
  tx
    .select()
    .from(pointsRedemptions)
    .where(eq(pointsRedemptions.redemptionKey, key))
    .for("update")
    .then(([row]) => row && toRedemption(row));

export function toRedemption(row: typeof pointsRedemptions.$inferSelect): Redemption {
  return {
    redemptionKey: row.redemptionKey,
    userId: row.userId ?? "",
    checkoutId: row.checkoutId ?? "",
    points: row.points,
    returned: row.returned,
    status: row.status,
    createdAt: row.createdAt,
  };
}

export function toEarning(row: typeof pointsEarnings.$inferSelect): Earning {
  return {
    checkoutId: row.checkoutId,
    userId: row.userId,
    points: row.points,
    chargedMinor: row.chargedMinor,
    refundedMinor: row.refundedMinor,
    fullyCancelled: row.fullyCancelled,
  };
}

export function fromTakeBackRow(row: typeof pointsTakeBacks.$inferSelect): OrderCancellation {
  return {
    eventId: row.eventId,
    cancellationId: row.cancellationId,
    checkoutId: row.checkoutId,
    orderId: row.orderId,
    userId: row.userId,
    refundedMinor: row.refundMinor,
    ordersLastLines: row.ordersLastLines,
  };
}
