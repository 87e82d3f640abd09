import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/** One row per product; the check constraints make overselling impossible even for a buggy query. */
export const stock = pgTable(
  "stock",
  {
    productId: text("product_id").primaryKey(),
    available: integer("available").notNull(),
    reserved: integer("reserved").notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("stock_available_not_negative", sql`${t.available} >= 0`),
    check("stock_reserved_not_negative", sql`${t.reserved} >= 0`),
  ],
);

/** At most one reservation per checkout: the unique checkout id is what makes Reserve idempotent. */
export const reservations = pgTable(
  "reservations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    checkoutId: text("checkout_id").notNull().unique(),
    status: text("status").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    releaseReason: text("release_reason"),
  },
  (t) => [
    check("reservations_status_known", sql`${t.status} in ('HELD', 'CONFIRMED', 'RELEASED', 'EXPIRED')`),
    // The sweeper's query: only held reservations, oldest expiry first.
    index("reservations_held_expires_at_idx").on(t.expiresAt).where(sql`${t.status} = 'HELD'`),
  ],
);

export const reservationLines = pgTable(
  "reservation_lines",
  {
    reservationId: uuid("reservation_id")
      .notNull()
      .references(() => reservations.id, { onDelete: "cascade" }),
    productId: text("product_id")
      .notNull()
      .references(() => stock.productId),
    quantity: integer("quantity").notNull(),
    /** Units of a sold (confirmed) line put back in stock since, across all its stock returns. */
    returned: integer("returned").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.reservationId, t.productId] }),
    check("reservation_lines_quantity_positive", sql`${t.quantity} > 0`),
    // The last line against a line giving back more than it sold, whatever a query does.
    check("reservation_lines_returned_within_quantity", sql`${t.returned} between 0 and ${t.quantity}`),
  ],
);

/** Sold units put back in stock: one row per return key, so a retried return is found, not counted again. */
export const stockReturns = pgTable("stock_returns", {
  returnKey: text("return_key").primaryKey(),
  reservationId: uuid("reservation_id")
    .notNull()
    .references(() => reservations.id),
  reason: text("reason").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
});

export const stockReturnLines = pgTable(
  "stock_return_lines",
  {
    returnKey: text("return_key")
      .notNull()
      .references(() => stockReturns.returnKey),
    productId: text("product_id").notNull(),
    quantity: integer("quantity").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.returnKey, t.productId] }),
    check("stock_return_lines_quantity_positive", sql`${t.quantity} > 0`),
  ],
);

/** Stock put on or taken off the shelf by hand: one row per adjustment, with why and who. */
export const stockAdjustments = pgTable(
  "stock_adjustments",
  {
    id: uuid("id").primaryKey(),
    productId: text("product_id")
      .notNull()
      .references(() => stock.productId),
    adjust: integer("adjust").notNull(),
    reason: text("reason").notNull(),
    actor: text("actor").notNull(),
    /** The caller's key: one adjustment per key and product, however often it is retried. */
    adjustmentKey: text("adjustment_key"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    index("stock_adjustments_product_id_idx").on(t.productId, t.createdAt),
    uniqueIndex("stock_adjustments_key_idx")
      .on(t.productId, t.adjustmentKey)
      .where(sql`${t.adjustmentKey} is not null`),
  ],
);
