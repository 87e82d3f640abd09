import { randomUUID } from "node:crypto";
import type { Sql } from "@checkout-saga/shared";
import { and, asc, desc, eq, gt, isNull, lte, sql as raw } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import type { OrderCancellation, PointsAccount, PointsLedger } from "../domain/points.js";
import {
  afterCancellation,
  type Earning,
  earnedPoints,
  pointsToTakeBack,
  takeBackReason,
} from "../domain/points-earning.js";
import {
  balanceOf,
  drawPoints,
  lotExpiry,
  returnExceedsRedemption,
  returnToLots,
  spendingOrder,
  takeUpTo,
} from "../domain/points-lots.js";
import { checkRepeatedReturn, redemptionStatus, repeatedRedemption } from "../domain/points-redemption.js";
import type { Transaction } from "./drizzle-transaction.js";
import {
  expireLot,
  expireReturnedLate,
  fromTakeBackRow,
  lockAccount,
  lockRedemption,
  moveLots,
  record,
  spendableLotsOf,
  toEarning,
  toRedemption,
} from "./points-rows.js";
import {
  pointsEarnings,
  pointsEntries,
  pointsLots,
  pointsRedemptionDraws,
  pointsRedemptions,
  pointsReturns,
  pointsTakeBacks,
} from "./points-schema.js";

/**
 * The points ledger in PostgreSQL. Each method is one transaction; one that changes a user's
 * points first locks the user's account row, so two changes of one user never interleave (a
 * redemption reads the lots, decides, and writes with nobody spending beside it). Lock order is
 * always account → redemption → lots, so transactions never wait on each other in a circle.
 */
export function createPostgresPoints(sql: Sql, clock: () => Date): PointsLedger {
  const db = drizzle(sql);

  /** Applies one cancellation to its checkout's earning: takes back its share, as far as the balance goes. */
  async function applyTakeBack(tx: Transaction, earning: Earning, cancellation: OrderCancellation, now: Date) {
    const refund = { refundedMinor: cancellation.refundedMinor, ordersLastLines: cancellation.ordersLastLines };
    const due = pointsToTakeBack(earning, refund);
    const next = afterCancellation(earning, refund);
    await tx
      .update(pointsEarnings)
      .set({ refundedMinor: next.refundedMinor, fullyCancelled: next.fullyCancelled })
      .where(eq(pointsEarnings.checkoutId, earning.checkoutId));
    // The checkout's own lot first: those are the points being taken back.
    const lots = await spendableLotsOf(tx, earning.userId, now);
    const own = lots.filter((l) => l.checkoutId === earning.checkoutId);
    const fromOwn = takeUpTo(own, due, now);
    const takenOwn = fromOwn.reduce((s, m) => s + m.points, 0);
    const others = lots.filter((l) => l.checkoutId !== earning.checkoutId);
    const moves = [...fromOwn, ...takeUpTo(others, due - takenOwn, now)];
    const takenBack = moves.reduce((s, m) => s + m.points, 0);
    const shortfall = due - takenBack;
    await moveLots(tx, moves, -1);
    if (due > 0) {
      await record(tx, earning.userId, {
        delta: -takenBack,
        reason: takeBackReason(shortfall),
        checkoutId: earning.checkoutId,
        orderId: cancellation.orderId,
        at: now,
      });
    }
    await tx
      .update(pointsTakeBacks)
      .set({ appliedAt: now, takenBack, shortfall })
      .where(eq(pointsTakeBacks.cancellationId, cancellation.cancellationId));
    return { takenBack, shortfall, earning: next };
  }

  return {
    account(userId, historyLimit) {
      return db.transaction(
        async (tx): Promise<PointsAccount> => {
          const now = clock();
          const lots = await spendableLotsOf(tx, userId, now);
          const history = await tx
            .select()
            .from(pointsEntries)
            .where(eq(pointsEntries.userId, userId))
            .orderBy(desc(pointsEntries.id))
            .limit(historyLimit);
          return {
            balance: balanceOf(lots, now),
            lots: spendingOrder(lots, now),
            history: history.map((e) => ({
              delta: e.delta,
              reason: e.reason,
              ...(e.checkoutId === null ? {} : { checkoutId: e.checkoutId }),
              ...(e.orderId === null ? {} : { orderId: e.orderId }),
              at: e.at,
            })),
          };
        },
        { isolationLevel: "repeatable read", accessMode: "read only" },
      );
    },

    redeem(request) {
      return db.transaction(async (tx) => {
        const now = clock();
        await lockAccount(tx, request.userId, now);
        // The key first: a repeat, or a void committed meanwhile (it takes no account lock), holds
        // it and nothing is taken. Too few points roll this insert back with the rest.
        const [inserted] = await tx
          .insert(pointsRedemptions)
          .values({
            redemptionKey: request.redemptionKey,
            userId: request.userId,
            checkoutId: request.checkoutId,
            points: request.points,
            status: "REDEEMED",
            createdAt: now,
          })
          .onConflictDoNothing()
          .returning();
        if (!inserted) {
          const [holder] = await tx
            .select()
            .from(pointsRedemptions)
            .where(eq(pointsRedemptions.redemptionKey, request.redemptionKey));
          if (!holder) throw new Error(`redemption ${request.redemptionKey} conflicted, yet is not there`);
          return repeatedRedemption(toRedemption(holder), request);
        }
        const moves = drawPoints(await spendableLotsOf(tx, request.userId, now), request.points, now);
        await moveLots(tx, moves, -1);
        await tx
          .insert(pointsRedemptionDraws)
          .values(
            moves.map((m, seq) => ({ redemptionKey: request.redemptionKey, seq, lotId: m.lotId, taken: m.points })),
          );
        await record(tx, request.userId, {
          delta: -request.points,
          reason: "redeemed",
          checkoutId: request.checkoutId,
          at: now,
        });
        return toRedemption(inserted);
      });
    },

    giveBack(request) {
      return db.transaction(async (tx) => {
        const now = clock();
        const key = request.redemptionKey;
        const [found] = await tx.select().from(pointsRedemptions).where(eq(pointsRedemptions.redemptionKey, key));
        if (!found) {
          if (request.points !== undefined) throw returnExceedsRedemption(request.points, 0);
          // A void before any redemption: a RedeemPoints in flight or later with this key takes nothing.
          await tx
            .insert(pointsRedemptions)
            .values({ redemptionKey: key, points: 0, status: "VOIDED", createdAt: now })
            .onConflictDoNothing();
          const [current] = await tx.select().from(pointsRedemptions).where(eq(pointsRedemptions.redemptionKey, key));
          if (!current) throw new Error(`redemption ${key} was voided, yet is not there`);
          // A redemption that won the key meanwhile is given back in full by a retry of this call.
          return { redemption: toRedemption(current), returnedNow: 0 };
        }
        if (found.userId !== null) await lockAccount(tx, found.userId, now);
        const redemption = await lockRedemption(tx, key);
        if (!redemption) throw new Error(`redemption ${key} vanished`);
        if (request.returnKey !== undefined) {
          const [earlier] = await tx
            .select()
            .from(pointsReturns)
            .where(and(eq(pointsReturns.redemptionKey, key), eq(pointsReturns.returnKey, request.returnKey)));
          if (earlier) {
            checkRepeatedReturn(earlier, { returnKey: request.returnKey, points: request.points ?? 0 });
            return { redemption, returnedNow: 0 };
          }
        }
        const left = redemption.points - redemption.returned;
        const points = request.points ?? left;
        if (points > left) throw returnExceedsRedemption(points, left);
        const draws = await tx
          .select()
          .from(pointsRedemptionDraws)
          .where(eq(pointsRedemptionDraws.redemptionKey, key))
          .orderBy(asc(pointsRedemptionDraws.seq));
        const moves = returnToLots(draws, points);
        for (const m of moves) {
          await tx
            .update(pointsRedemptionDraws)
            .set({ returned: raw`${pointsRedemptionDraws.returned} + ${m.points}` })
            .where(and(eq(pointsRedemptionDraws.redemptionKey, key), eq(pointsRedemptionDraws.lotId, m.lotId)));
        }
        const returnedTo = await moveLots(tx, moves, 1);
        const returned = redemption.returned + points;
        const [updated] = await tx
          .update(pointsRedemptions)
          .set({
            returned,
            status: redemption.status === "VOIDED" ? "VOIDED" : redemptionStatus(redemption.points, returned),
          })
          .where(eq(pointsRedemptions.redemptionKey, key))
          .returning();
        if (request.returnKey !== undefined) {
          await tx.insert(pointsReturns).values({
            redemptionKey: key,
            returnKey: request.returnKey,
            requested: request.points ?? 0,
            returned: points,
            reason: request.reason,
            createdAt: now,
          });
        }
        if (points > 0 && found.userId !== null) {
          await record(tx, found.userId, {
            delta: points,
            reason: "returned",
            checkoutId: redemption.checkoutId,
            ...(request.orderId === undefined ? {} : { orderId: request.orderId }),
            at: now,
          });
          await expireReturnedLate(tx, found.userId, returnedTo, now);
        }
        if (!updated) throw new Error(`redemption ${key} vanished`);
        return { redemption: toRedemption(updated), returnedNow: points };
      });
    },

    earn(checkout) {
      return db.transaction(async (tx) => {
        await lockAccount(tx, checkout.userId, clock());
        const now = clock();
        const points = earnedPoints(checkout.charged);
        const [inserted] = await tx
          .insert(pointsEarnings)
          .values({
            checkoutId: checkout.checkoutId,
            userId: checkout.userId,
            eventId: checkout.eventId,
            points,
            chargedMinor: checkout.charged.amountMinor,
            earnedAt: checkout.completedAt,
          })
          .onConflictDoNothing()
          .returning();
        if (!inserted) return { earned: 0, created: false };
        if (points > 0) {
          await tx.insert(pointsLots).values({
            id: randomUUID(),
            userId: checkout.userId,
            checkoutId: checkout.checkoutId,
            earned: points,
            remaining: points,
            earnedAt: checkout.completedAt,
            expiresAt: lotExpiry(checkout.completedAt),
          });
          await record(tx, checkout.userId, {
            delta: points,
            reason: "earned",
            checkoutId: checkout.checkoutId,
            at: now,
          });
        }
        // Cancellations that overtook the earning, in the order they came.
        const waiting = await tx
          .select()
          .from(pointsTakeBacks)
          .where(and(eq(pointsTakeBacks.checkoutId, checkout.checkoutId), isNull(pointsTakeBacks.appliedAt)))
          .orderBy(asc(pointsTakeBacks.recordedAt), asc(pointsTakeBacks.cancellationId));
        let earning = toEarning(inserted);
        for (const w of waiting) ({ earning } = await applyTakeBack(tx, earning, fromTakeBackRow(w), now));
        return { earned: points, created: true };
      });
    },

    takeBack(cancellation) {
      return db.transaction(async (tx) => {
        await lockAccount(tx, cancellation.userId, clock());
        const now = clock();
        const [recorded] = await tx
          .insert(pointsTakeBacks)
          .values({
            cancellationId: cancellation.cancellationId,
            checkoutId: cancellation.checkoutId,
            orderId: cancellation.orderId,
            userId: cancellation.userId,
            eventId: cancellation.eventId,
            refundMinor: cancellation.refundedMinor,
            ordersLastLines: cancellation.ordersLastLines,
            recordedAt: now,
          })
          .onConflictDoNothing()
          .returning();
        if (!recorded) return { takenBack: 0, shortfall: 0, pending: false };
        const [earning] = await tx
          .select()
          .from(pointsEarnings)
          .where(eq(pointsEarnings.checkoutId, cancellation.checkoutId));
        if (!earning) return { takenBack: 0, shortfall: 0, pending: true };
        const { takenBack, shortfall } = await applyTakeBack(tx, toEarning(earning), cancellation, now);
        return { takenBack, shortfall, pending: false };
      });
    },

    async expireLots(limit) {
      const now = clock();
      const due = await db
        .select({ id: pointsLots.id, userId: pointsLots.userId })
        .from(pointsLots)
        .where(and(gt(pointsLots.remaining, 0), lte(pointsLots.expiresAt, now)))
        .orderBy(asc(pointsLots.expiresAt))
        .limit(limit);
      let expired = 0;
      for (const candidate of due) {
        // Re-read under the user's lock: another sweeper, or a redemption, may have been first.
        const done = await db.transaction(async (tx) => {
          await lockAccount(tx, candidate.userId, now);
          const [lot] = await tx.select().from(pointsLots).where(eq(pointsLots.id, candidate.id));
          if (!lot || lot.remaining === 0 || lot.expiresAt > now) return false;
          await expireLot(tx, candidate.userId, lot, now);
          return true;
        });
        if (done) expired++;
      }
      return expired;
    },
  };
}
