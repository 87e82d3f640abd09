import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const products = sqliteTable("products", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  description: text("description").notNull(),
  /** "standard" | "reduced" (TaxClass). */
  taxClass: text("tax_class").notNull().default("standard"),
  imageUrl: text("image_url").notNull(),
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
