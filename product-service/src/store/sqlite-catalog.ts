import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { money, type TaxClass } from "@checkout-saga/shared";
import Database from "better-sqlite3";
import { asc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import type { Catalog, Product, ProductChange } from "../domain/product.js";
import { applyPatch, patchDetails, productDetails } from "../domain/product-edits.js";
import { productChanges, productPrices, products } from "./schema.js";

const migrationsFolder = fileURLToPath(new URL("../../drizzle", import.meta.url));

export interface SqliteCatalog extends Catalog {
  close(): void;
}

/** The catalog in a SQLite file, migrated and seeded on open (seeding only fills an empty table). */
export function openSqliteCatalog(file: string, seed: Product[]): SqliteCatalog {
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  const db = drizzle(sqlite);
  migrate(db, { migrationsFolder });
  type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];
  const insertProduct = (tx: Tx, p: Product) => {
    tx.insert(products)
      .values({
        id: p.id,
        name: p.name,
        description: p.description,
        taxClass: p.taxClass,
        imageUrl: p.imageUrl,
        sellable: p.sellable,
      })
      .run();
    insertPrices(tx, p);
  };
  const insertPrices = (tx: Tx, p: Product) => {
    for (const price of p.prices) {
      tx.insert(productPrices)
        .values({ productId: p.id, currency: price.currency, amountMinor: price.amountMinor })
        .run();
    }
  };
  const record = (tx: Tx, change: ProductChange) =>
    tx
      .insert(productChanges)
      .values({ ...change, details: JSON.stringify(change.details), at: change.at.toISOString() })
      .run();

  db.transaction((tx) => {
    if (tx.select({ id: products.id }).from(products).limit(1).all().length > 0) return;
    for (const p of seed) insertProduct(tx, p);
  });

  // Plain SQL, prepared once: a product with its prices as a JSON array (ordered by currency),
  // so every checkout and add-to-cart looks any number of products up in one statement.
  const columns = `p.id, p.name, p.description, p.tax_class, p.image_url, p.sellable,
    (select json_group_array(json_array(currency, amount_minor))
       from (select currency, amount_minor from product_prices where product_id = p.id order by currency)) as prices`;
  const byIds = sqlite.prepare<[string], ProductRow>(
    `select ${columns} from products p where p.id in (select value from json_each(?))`,
  );
  const page = sqlite.prepare<[{ after: string | null; limit: number }], ProductRow>(
    `select ${columns} from products p where @after is null or p.id > @after order by p.id limit @limit`,
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
      const rows = page.all({ after: afterId ?? null, limit: limit + 1 });
      const found = rows.slice(0, limit).map(toProduct);
      return { products: found, nextCursor: rows.length > limit ? found.at(-1)?.id : undefined };
    },
    async create(product, actor, at) {
      db.transaction((tx) => {
        insertProduct(tx, product);
        record(tx, { productId: product.id, actor, action: "created", details: productDetails(product), at });
      });
    },
    async update(id, patch, actor, at) {
      // better-sqlite3 runs the transaction synchronously: nothing else writes between read and write.
      return db.transaction((tx) => {
        const [row] = byIds.all(JSON.stringify([id]));
        if (!row) return undefined;
        const next = applyPatch(toProduct(row), patch);
        tx.update(products)
          .set({ description: next.description, sellable: next.sellable })
          .where(eq(products.id, id))
          .run();
        if (patch.prices !== undefined) {
          tx.delete(productPrices).where(eq(productPrices.productId, id)).run();
          insertPrices(tx, next);
        }
        record(tx, { productId: id, actor, action: "updated", details: patchDetails(patch), at });
        return next;
      });
    },
    async changes(productId) {
      return db
        .select()
        .from(productChanges)
        .where(eq(productChanges.productId, productId))
        .orderBy(asc(productChanges.id))
        .all()
        .map((c) => ({
          productId: c.productId,
          actor: c.actor,
          action: c.action as ProductChange["action"],
          details: JSON.parse(c.details) as Record<string, unknown>,
          at: new Date(c.at),
        }));
    },
    close() {
      sqlite.close();
    },
  };
}

function toProduct(r: ProductRow): Product {
  const prices = JSON.parse(r.prices) as Array<[string, number]>;
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    prices: prices.map(([currency, amountMinor]) => money(currency, amountMinor)),
    taxClass: r.tax_class as TaxClass,
    imageUrl: r.image_url,
    sellable: r.sellable === 1,
  };
}

/** A product row with its prices (json_group_array) as SQLite returns it. */
interface ProductRow {
  id: string;
  name: string;
  description: string;
  tax_class: string;
  image_url: string;
  sellable: number;
  prices: string;
}
