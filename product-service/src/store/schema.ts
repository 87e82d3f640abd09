import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const products = sqliteTable("products", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  description: text("description").notNull(),
  currency: text("currency").notNull(),
  priceMinor: integer("price_minor").notNull(),
  imageUrl: text("image_url").notNull(),
});
