import { afterEach, describe, expect, it } from "vitest";
import { seedProducts } from "../domain/product.js";
import { openSqliteCatalog, type SqliteCatalog } from "./sqlite-catalog.js";

describe("SQLite catalog", () => {
  let catalog: SqliteCatalog | undefined;
  afterEach(() => catalog?.close());

  it("finds products by id, one or many, and leaves unknown ids out", async () => {
    catalog = openSqliteCatalog(":memory:", seedProducts);
    expect(await catalog.get("2")).toEqual(seedProducts.find((p) => p.id === "2"));
    expect(await catalog.get("nope")).toBeUndefined();
    const many = await catalog.getMany(["3", "nope", "1"]);
    expect(many.map((p) => p.id).sort()).toEqual(["1", "3"]);
    expect(many.find((p) => p.id === "1")?.price).toEqual({ currency: "USD", amountMinor: 129999 });
    expect(await catalog.getMany([])).toEqual([]);
  });

  it("lists products by id, a page at a time", async () => {
    catalog = openSqliteCatalog(":memory:", seedProducts);
    const first = await catalog.list(2);
    expect(first.products.map((p) => p.id)).toEqual(["1", "2"]);
    expect(first.nextCursor).toBe("2");
    expect(first.products[0]).toEqual(seedProducts[0]);
    const all = await catalog.list(100);
    expect(all.products).toHaveLength(seedProducts.length);
    expect(all.nextCursor).toBeUndefined();
  });
});
