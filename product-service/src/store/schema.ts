import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const products = sqliteTable("products", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  description: text("description").notNull(),
  /** "standard" | "reduced" (TaxClass). */
  taxClass: text("tax_class").notNull().default("standard"),
  imageUrl: text("image_url").notNull(),
  /** 1 on sale, 0 taken off sale by an admin. */
  sellable: integer("sellable", { mode: "boolean" }).notNull().default(true),
});

/** One price per product and currency, in that currency's minor units. */
export const productPrices = sqliteTable(
  "product_prices",
  {
    productId: text("product_id")
      .notNull()
      .references(() => products.id),
    currency: text("currency").notNull(),
    amountMinor: integer("amount_minor").notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.currency] })],
);

/** Who changed which product, how (created, updated) and what it set (JSON), oldest first by id. */
export const productChanges = sqliteTable("product_changes", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  productId: text("product_id")
    .notNull()
    .references(() => products.id),
  actor: text("actor").notNull(),
  action: text("action").notNull(),
  details: text("details").notNull(),
  /** ISO 8601. */
  at: text("at").notNull(),
});
