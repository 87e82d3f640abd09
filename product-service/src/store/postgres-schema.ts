import { bigint, bigserial, boolean, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/** The catalog in production mode: the same tables as the SQLite file (schema.ts), in PostgreSQL types. */
export const products = pgTable("products", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  description: text("description").notNull(),
  /** "standard" | "reduced" (TaxClass). */
  taxClass: text("tax_class").notNull().default("standard"),
  imageUrl: text("image_url").notNull(),
  sellable: boolean("sellable").notNull().default(true),
});

/** One price per product and currency, in that currency's minor units. */
export const productPrices = pgTable(
  "product_prices",
  {
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    currency: text("currency").notNull(),
    amountMinor: bigint("amount_minor", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.currency] })],
);

/** Who changed which product, how (created, updated) and what it set, oldest first by id. */
export const productChanges = pgTable("product_changes", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  productId: text("product_id")
    .notNull()
    .references(() => products.id),
  actor: text("actor").notNull(),
  action: text("action").notNull(),
  details: jsonb("details").notNull(),
  at: timestamp("at", { withTimezone: true }).notNull(),
});
