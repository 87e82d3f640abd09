import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { seedProducts } from "../domain/product.js";
import { openSqliteCatalog, type SqliteCatalog } from "./sqlite-catalog.js";

// What every adapter does is in catalog.contract.ts (test/sqlite-catalog.contract.test.ts); this is the file's own history.
describe("SQLite catalog", () => {
  let catalog: SqliteCatalog | undefined;
  afterEach(() => catalog?.close());

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
