import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One row per user: the whole cart, written only by compare-and-set on `version`. */
export const carts = sqliteTable(
  "carts",
  {
    userId: text("user_id").primaryKey(),
    /** JSON array of { productId, quantity, addedAt (ISO 8601) }. */
    items: text("items").notNull(),
    version: integer("version").notNull(),
    /** Milliseconds since the epoch. */
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    /** JSON array of event ids, oldest first. */
    appliedEventIds: text("applied_event_ids").notNull(),
    /** JSON array of { checkoutId, lines: [{ productId, quantity }], state, at (ISO 8601) }. */
    claims: text("claims").notNull().default("[]"),
    /** ISO 4217; null: the store's currency (a cart that never chose one). */
    currency: text("currency"),
  },
  // The idle sweeper deletes by age.
  (t) => [index("carts_updated_at_idx").on(t.updatedAt)],
);
