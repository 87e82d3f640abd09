import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { seedProducts } from "../domain/product.js";
import { openSqliteCatalog, type SqliteCatalog } from "./sqlite-catalog.js";

describe("SQLite catalog", () => {
  let catalog: SqliteCatalog | undefined;
  afterEach(() => catalog?.close());

  it("finds products by id, one or many, with every price, and leaves unknown ids out", async () => {
    catalog = openSqliteCatalog(":memory:", seedProducts);
    expect(await catalog.get("2")).toEqual(seedProducts.find((p) => p.id === "2"));
    expect(await catalog.get("nope")).toBeUndefined();
    const many = await catalog.getMany(["3", "nope", "1"]);
    expect(many.map((p) => p.id).sort()).toEqual(["1", "3"]);
    expect(many.find((p) => p.id === "1")?.prices).toEqual([
      { currency: "JPY", amountMinor: 189800 },
      { currency: "USD", amountMinor: 129999 },
    ]);
    expect(await catalog.getMany([])).toEqual([]);
  });

  it("seeds the contract's catalog: USD and JPY, Matcha at the reduced rate", async () => {
    catalog = openSqliteCatalog(":memory:", seedProducts);
    const matcha = (await catalog.list(100)).products.find((p) => p.name === "Matcha");
    expect(matcha).toMatchObject({
      taxClass: "reduced",
      prices: [
        { currency: "JPY", amountMinor: 1620 },
        { currency: "USD", amountMinor: 1499 },
      ],
    });
    expect((await catalog.get("1"))?.taxClass).toBe("standard");
  });

  it("lists products by id, a page at a time", async () => {
    catalog = openSqliteCatalog(":memory:", seedProducts);
    const first = await catalog.list(2);
    expect(first.products.map((p) => p.id)).toEqual(["1", "2"]);
    expect(first.nextCursor).toBe("2");
    expect(first.products[0]).toEqual(seedProducts[0]);
    const rest = await catalog.list(100, "2");
    expect(rest.products.map((p) => p.id)).toEqual(["3", "4", "5", "6"]);
    const all = await catalog.list(100);
    expect(all.products).toHaveLength(seedProducts.length);
    expect(all.nextCursor).toBeUndefined();
  });

  it("keeps an existing file's single-currency prices through the migration", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "catalog-"));
    try {
      const file = path.join(dir, "product.db");
      const old = new Database(file);
      old.exec(`create table products (id text primary key not null, name text not null, description text not null,
        currency text not null, price_minor integer not null, image_url text not null);
        create table "__drizzle_migrations" (id integer primary key, hash text not null, created_at numeric);
        insert into "__drizzle_migrations" (hash, created_at) values ('init', 0);
        insert into products values ('9', 'Old', 'd', 'USD', 1234, 'u');`);
      // The journal's first migration ran on this file (its created_at is the journal's "when").
      const journal = JSON.parse(
        readFileSync(new URL("../../drizzle/meta/_journal.json", import.meta.url), "utf8"),
      ) as {
        entries: Array<{ when: number }>;
      };
      old.prepare(`update "__drizzle_migrations" set created_at = ?`).run(journal.entries[0]?.when);
      old.close();
      catalog = openSqliteCatalog(file, seedProducts);
      expect(await catalog.get("9")).toMatchObject({
        prices: [{ currency: "USD", amountMinor: 1234 }],
        taxClass: "standard",
      });
    } finally {
      catalog?.close();
      catalog = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
