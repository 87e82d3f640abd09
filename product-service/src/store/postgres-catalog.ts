import { fileURLToPath } from "node:url";
import { createPostgres, migratePostgres, money, type Sql, type TaxClass } from "@checkout-saga/shared";
import type postgres from "postgres";
import type { Catalog, Product, ProductChange } from "../domain/product.js";
import { applyPatch, patchDetails, productDetails } from "../domain/product-edits.js";

const migrationsFolder = fileURLToPath(new URL("../../drizzle-postgres", import.meta.url));
/** Advisory lock key for this service's migrations (its default port, unique per service). */
const MIGRATION_LOCK_KEY = 50_051;

/** Brings the schema up to date and seeds the catalog into an empty database. */
export async function preparePostgresCatalog(databaseUrl: string, seed: Product[]): Promise<void> {
  await migratePostgres(databaseUrl, migrationsFolder, MIGRATION_LOCK_KEY);
  const sql = createPostgres(databaseUrl, { max: 1 });
  try {
    await sql.begin(async (tx) => {
      // Two instances starting together: the second waits here, then finds the catalog seeded.
      await tx`lock table products in share row exclusive mode`;
      const [row] = await tx<{ empty: boolean }[]>`select not exists (select 1 from products) as empty`;
      if (!row?.empty) return;
      for (const p of seed) await insertProduct(tx, p);
    });
  } finally {
    await sql.end();
  }
}

/**
 * The catalog on PostgreSQL (production mode). Reads fetch a product with its prices in one
 * statement; an update locks the product row (`for update`) before deciding from what it read.
 */
export function createPostgresCatalog(sql: Sql): Catalog {
  return {
    async get(id) {
      const [product] = await selectProducts(sql, [id]);
      return product;
    },
    async getMany(ids) {
      return ids.length === 0 ? [] : selectProducts(sql, ids);
    },
    async list(limit, afterId) {
      const rows = await sql<ProductRow[]>`
        select ${sql.unsafe(COLUMNS)} from products p
        where ${afterId ?? null}::text is null or p.id > ${afterId ?? null}
        order by p.id limit ${limit + 1}`;
      const found = rows.slice(0, limit).map(toProduct);
      return { products: found, nextCursor: rows.length > limit ? found.at(-1)?.id : undefined };
    },
    async create(product, actor, at) {
      await sql.begin(async (tx) => {
        await insertProduct(tx, product);
        await record(tx, { productId: product.id, actor, action: "created", details: productDetails(product), at });
      });
    },
    async update(id, patch, actor, at) {
      return sql.begin(async (tx) => {
        const [locked] = await tx`select id from products where id = ${id} for update`;
        if (!locked) return undefined;
        const [current] = await selectProducts(tx, [id]);
        if (!current) return undefined;
        const next = applyPatch(current, patch);
        await tx`update products set description = ${next.description}, sellable = ${next.sellable} where id = ${id}`;
        if (patch.prices !== undefined) {
          await tx`delete from product_prices where product_id = ${id}`;
          await insertPrices(tx, next);
        }
        await record(tx, { productId: id, actor, action: "updated", details: patchDetails(patch), at });
        return next;
      });
    },
    async changes(productId) {
      const rows = await sql<
        { actor: string; action: ProductChange["action"]; details: Record<string, unknown>; at: Date }[]
      >`
        select actor, action, details, at from product_changes where product_id = ${productId} order by id`;
      return rows.map((r) => ({ productId, actor: r.actor, action: r.action, details: r.details, at: r.at }));
    },
  };
}

/** A pool or an open transaction. */
type Queryable = postgres.ISql;

// A product with its prices as a JSON array ordered by currency, as the SQLite adapter reads it.
const COLUMNS = `p.id, p.name, p.description, p.tax_class, p.image_url, p.sellable,
  coalesce((select json_agg(json_build_array(pp.currency, pp.amount_minor) order by pp.currency)
     from product_prices pp where pp.product_id = p.id), '[]'::json) as prices`;

async function selectProducts(db: Queryable, ids: string[]): Promise<Product[]> {
  const rows = await db<ProductRow[]>`select ${db.unsafe(COLUMNS)} from products p where p.id = any(${ids}::text[])`;
  return rows.map(toProduct);
}

async function insertProduct(tx: Queryable, p: Product): Promise<void> {
  await tx`
    insert into products (id, name, description, tax_class, image_url, sellable)
    values (${p.id}, ${p.name}, ${p.description}, ${p.taxClass}, ${p.imageUrl}, ${p.sellable})`;
  await insertPrices(tx, p);
}

async function insertPrices(tx: Queryable, p: Product): Promise<void> {
  if (p.prices.length === 0) return;
  const rows = p.prices.map((m) => ({ product_id: p.id, currency: m.currency, amount_minor: m.amountMinor }));
  await tx`insert into product_prices ${tx(rows)}`;
}

async function record(tx: Queryable, c: ProductChange): Promise<void> {
  await tx`
    insert into product_changes (product_id, actor, action, details, at)
    values (${c.productId}, ${c.actor}, ${c.action}, ${tx.json(c.details as postgres.JSONValue)}, ${c.at})`;
}

function toProduct(r: ProductRow): Product {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    // bigint arrives in JSON as a number: minor units stay well inside 2^53.
    prices: r.prices.map(([currency, amountMinor]) => money(currency, Number(amountMinor))),
    taxClass: r.tax_class as TaxClass,
    imageUrl: r.image_url,
    sellable: r.sellable,
  };
}

interface ProductRow {
  id: string;
  name: string;
  description: string;
  tax_class: string;
  image_url: string;
  sellable: boolean;
  prices: Array<[string, number]>;
}
