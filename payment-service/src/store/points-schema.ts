import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";

const timestamptz = (name: string) => timestamp(name, { withTimezone: true });
const points = (name: string) => bigint(name, { mode: "number" });

/**
 * One row per user with points: every change of the user's points locks it first (FOR UPDATE),
 * so changes of one user run one after the other and a redemption sees the lots as they are.
 */
export const pointsAccounts = pgTable("points_accounts", {
  userId: text("user_id").primaryKey(),
  createdAt: timestamptz("created_at").notNull(),
});

/** Points from one earning, with what is left of them; spendable while `expires_at` is ahead. */
export const pointsLots = pgTable(
  "points_lots",
  {
    id: uuid("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => pointsAccounts.userId),
    checkoutId: text("checkout_id").notNull().unique(),
    earned: points("earned").notNull(),
    remaining: points("remaining").notNull(),
    earnedAt: timestamptz("earned_at").notNull(),
    expiresAt: timestamptz("expires_at").notNull(),
  },
  (t) => [
    // The last line against a negative balance: a lot never holds less than nothing.
    check("points_lots_remaining_within_earned", sql`${t.remaining} between 0 and ${t.earned}`),
    index("points_lots_user_expiry_idx").on(t.userId, t.expiresAt),
    // The expiry sweeper reads only lots still holding points.
    index("points_lots_holding_expiry_idx").on(t.expiresAt).where(sql`${t.remaining} > 0`),
  ],
);

/** The history: append-only, never updated or deleted; one row per change of a balance. */
export const pointsEntries = pgTable(
  "points_entries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => pointsAccounts.userId),
    delta: points("delta").notNull(),
    reason: text("reason").notNull(),
    checkoutId: text("checkout_id"),
    orderId: text("order_id"),
    at: timestamptz("at").notNull(),
  },
  (t) => [index("points_entries_user_idx").on(t.userId, t.id)],
);

/**
 * One redemption per key (the checkout id). VOIDED rows are tombstones of a key ReturnPoints
 * voided before any redemption: no user, no points, so a late RedeemPoints takes nothing.
 */
export const pointsRedemptions = pgTable(
  "points_redemptions",
  {
    redemptionKey: text("redemption_key").primaryKey(),
    userId: text("user_id"),
    checkoutId: text("checkout_id"),
    points: points("points").notNull(),
    returned: points("returned").notNull().default(0),
    status: text("status", { enum: ["REDEEMED", "RETURNED", "VOIDED"] }).notNull(),
    createdAt: timestamptz("created_at").notNull(),
  },
  (t) => [
    check("points_redemptions_status_check", sql`${t.status} in ('REDEEMED', 'RETURNED', 'VOIDED')`),
    check("points_redemptions_returned_within_points", sql`${t.returned} between 0 and ${t.points}`),
    check(
      "points_redemptions_voided_is_empty",
      sql`(${t.status} = 'VOIDED') = (${t.userId} is null) and (${t.status} = 'VOIDED') = (${t.points} = 0)`,
    ),
  ],
);

/** The lots a redemption drew from, in the order it drew (`seq`), and what went back to each. */
export const pointsRedemptionDraws = pgTable(
  "points_redemption_draws",
  {
    redemptionKey: text("redemption_key")
      .notNull()
      .references(() => pointsRedemptions.redemptionKey),
    seq: integer("seq").notNull(),
    lotId: uuid("lot_id")
      .notNull()
      .references(() => pointsLots.id),
    taken: points("taken").notNull(),
    returned: points("returned").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.redemptionKey, t.seq] }),
    check("points_redemption_draws_returned_within_taken", sql`${t.returned} between 0 and ${t.taken}`),
  ],
);

/** Returns made under a return key, so a retried one is told from a second one. */
export const pointsReturns = pgTable(
  "points_returns",
  {
    redemptionKey: text("redemption_key")
      .notNull()
      .references(() => pointsRedemptions.redemptionKey),
    returnKey: text("return_key").notNull(),
    /** Points asked for (0: all that was left), what a repeat must match. */
    requested: points("requested").notNull(),
    returned: points("returned").notNull(),
    reason: text("reason").notNull(),
    createdAt: timestamptz("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.redemptionKey, t.returnKey] })],
);

/** What each completed checkout earned (a row also for one that earned nothing, so its cancellations settle). */
export const pointsEarnings = pgTable("points_earnings", {
  checkoutId: text("checkout_id").primaryKey(),
  userId: text("user_id").notNull(),
  eventId: text("event_id").notNull(),
  points: points("points").notNull(),
  chargedMinor: points("charged_minor").notNull(),
  /** Refunds of the cancellations applied so far, summed: the base of the next pro-rata share. */
  refundedMinor: points("refunded_minor").notNull().default(0),
  fullyCancelled: boolean("fully_cancelled").notNull().default(false),
  earnedAt: timestamptz("earned_at").notNull(),
});

/**
 * Each order cancellation's take-back, once per cancellation. One that arrives before its
 * checkout's earning waits here (applied_at null) and is applied when the earning is recorded.
 */
export const pointsTakeBacks = pgTable(
  "points_take_backs",
  {
    cancellationId: text("cancellation_id").primaryKey(),
    checkoutId: text("checkout_id").notNull(),
    orderId: text("order_id").notNull(),
    userId: text("user_id").notNull(),
    eventId: text("event_id").notNull(),
    refundMinor: points("refund_minor").notNull(),
    ordersLastLines: boolean("orders_last_lines").notNull(),
    recordedAt: timestamptz("recorded_at").notNull(),
    appliedAt: timestamptz("applied_at"),
    takenBack: points("taken_back"),
    shortfall: points("shortfall"),
  },
  (t) => [index("points_take_backs_waiting_idx").on(t.checkoutId).where(sql`${t.appliedAt} is null`)],
);
