import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { asc, gt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import type { Catalog, Product } from "../domain/product.js";
import { products } from "./schema.js";

const migrationsFolder = fileURLToPath(new URL("../../drizzle", import.meta.url));

export interface SqliteCatalog extends Catalog {
  close(): void;
}

/** The catalog in a SQLite file, migrated and seeded on open (seeding only fills an empty table). */
export function openSqliteCatalog(file: string, seed: Product[]): SqliteCatalog {
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  const db = drizzle(sqlite);
  migrate(db, { migrationsFolder });
  db.transaction((tx) => {
    if (tx.select({ id: products.id }).from(products).limit(1).all().length > 0) return;
    for (const p of seed) {
      tx.insert(products)
        .values({
          id: p.id,
          name: p.name,
          description: p.description,
          currency: p.price.currency,
          priceMinor: p.price.amountMinor,
          imageUrl: p.imageUrl,
        })
        .run();
    }
  });

  const toProduct = (r: ProductRow): Product => ({
    id: r.id,
    name: r.name,
    description: r.description,
    price: { currency: r.currency, amountMinor: r.price_minor },
    imageUrl: r.image_url,
  });
  // Prepared once, in plain SQL: every checkout and add-to-cart looks products up by id, any
  // number of them, through this one statement (the ids go as a JSON array).
  const byIds = sqlite.prepare<[string], ProductRow>(
    `select id, name, description, currency, price_minor, image_url from products
     where id in (select value from json_each(?))`,
  );

  return {
    async get(id) {
      const [row] = byIds.all(JSON.stringify([id]));
      return row ? toProduct(row) : undefined;
    },
    async getMany(ids) {
      if (ids.length === 0) return [];
      return byIds.all(JSON.stringify(ids)).map(toProduct);
    },
    async list(limit, afterId) {
      const rows = db
        .select()
        .from(products)
        .where(afterId === undefined ? undefined : gt(products.id, afterId))
        .orderBy(asc(products.id))
        .limit(limit + 1)
        .all();
      const page = rows
        .slice(0, limit)
        .map((r) => toProduct({ ...r, price_minor: r.priceMinor, image_url: r.imageUrl }));
      return { products: page, nextCursor: rows.length > limit ? page.at(-1)?.id : undefined };
    },
    close() {
      sqlite.close();
    },
  };
}

/** A row of `products` (schema.ts) as SQLite returns it. */
interface ProductRow {
  id: string;
  name: string;
  description: string;
  currency: string;
  price_minor: number;
  image_url: string;
}
