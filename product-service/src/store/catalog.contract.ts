import { money } from "@checkout-saga/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Catalog, type Product, seedProducts } from "../domain/product.js";
import { productFromDraft } from "../domain/product-edits.js";

/**
 * Fresh storage (a file, a database) for one test: `open` opens the adapter on it, seeded with
 * `seed` when empty (it may be called again, as a restart would); `cleanup` closes and removes it.
 */
export type CatalogFactory = () => Promise<{
  open: (seed: Product[]) => Promise<Catalog>;
  cleanup: () => Promise<void>;
}>;

const at = new Date("2026-12-01T10:00:00.000Z");

/** A product of the admin's making: JPY and USD prices (given in any order), standard rate. */
const newProduct = (id: string) =>
  productFromDraft(id, {
    name: "Tea cup",
    description: "Hand-thrown",
    prices: [
      { currency: "USD", amountMinor: 2400 },
      { currency: "JPY", amountMinor: 3300 },
    ],
    taxClass: "standard",
    imageUrl: "https://images.example.com/cup.jpg",
  });

/**
 * The behaviour every Catalog adapter must show, as a vitest suite. Call it from a test file
 * with a factory that opens the adapter against a real server or file.
 */
export function describeCatalogContract(name: string, storage: CatalogFactory): void {
  describe(`Catalog contract: ${name}`, () => {
    let catalog: Catalog;
    let open: (seed: Product[]) => Promise<Catalog>;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ open, cleanup } = await storage());
      catalog = await open(seedProducts);
    });
    afterEach(async () => {
      await cleanup();
    });

    it("is seeded with the contract's catalog: every price by currency, Matcha at the reduced rate, all on sale", async () => {
      const all = await catalog.list(100);
      expect(all.products).toEqual(seedProducts);
      expect(all.products.find((p) => p.name === "Matcha")).toMatchObject({
        taxClass: "reduced",
        prices: [money("JPY", 1620), money("USD", 1499)],
        sellable: true,
      });
    });

    it("finds products by id, one or many, and leaves unknown ids out", async () => {
      expect(await catalog.get("2")).toEqual(seedProducts[1]);
      expect(await catalog.get("nope")).toBeUndefined();
      expect((await catalog.getMany(["3", "nope", "1"])).map((p) => p.id).sort()).toEqual(["1", "3"]);
      expect(await catalog.getMany([])).toEqual([]);
    });

    it("lists by id, a page at a time", async () => {
      const first = await catalog.list(2);
      expect(first.products.map((p) => p.id)).toEqual(["1", "2"]);
      expect(first.nextCursor).toBe("2");
      const rest = await catalog.list(100, "2");
      expect(rest.products.map((p) => p.id)).toEqual(["3", "4", "5", "6"]);
      expect(rest.nextCursor).toBeUndefined();
    });

    it("creates a product readable at once, and records who created it", async () => {
      const cup = newProduct("p-cup");
      await catalog.create(cup, "user:ops", at);
      expect(await catalog.get("p-cup")).toEqual(cup);
      expect(cup.prices.map((p) => p.currency)).toEqual(["JPY", "USD"]);
      expect(await catalog.changes("p-cup")).toEqual([
        {
          productId: "p-cup",
          actor: "user:ops",
          action: "created",
          details: {
            name: "Tea cup",
            description: "Hand-thrown",
            prices: [
              { currency: "JPY", amountMinor: 3300 },
              { currency: "USD", amountMinor: 2400 },
            ],
            taxClass: "standard",
            imageUrl: "https://images.example.com/cup.jpg",
          },
          at,
        },
      ]);
    });

    it("refuses a second product with a taken id, and keeps the first", async () => {
      await expect(catalog.create({ ...newProduct("1"), name: "Impostor" }, "user:ops", at)).rejects.toThrow();
      expect(await catalog.get("1")).toEqual(seedProducts[0]);
    });

    it("updates only what a patch sets: prices replaced as a set, description, sellability", async () => {
      const later = new Date(at.getTime() + 60_000);
      const repriced = await catalog.update("2", { prices: [money("USD", 3499)] }, "user:ops", at);
      expect(repriced).toEqual({ ...seedProducts[1], prices: [money("USD", 3499)] });
      const offSale = await catalog.update("2", { sellable: false, description: "Discontinued" }, "user:amy", later);
      expect(offSale).toMatchObject({ sellable: false, description: "Discontinued", prices: [money("USD", 3499)] });
      expect(await catalog.get("2")).toEqual(offSale);
      expect(await catalog.changes("2")).toEqual([
        {
          productId: "2",
          actor: "user:ops",
          action: "updated",
          details: { prices: [{ currency: "USD", amountMinor: 3499 }] },
          at,
        },
        {
          productId: "2",
          actor: "user:amy",
          action: "updated",
          details: { description: "Discontinued", sellable: false },
          at: later,
        },
      ]);
      // Another product is untouched.
      expect(await catalog.get("1")).toEqual(seedProducts[0]);
    });

    it("updates nothing and records nothing for an unknown product", async () => {
      expect(await catalog.update("nope", { sellable: false }, "user:ops", at)).toBeUndefined();
      expect(await catalog.changes("nope")).toEqual([]);
    });

    it("keeps every write across a restart and does not seed over them", async () => {
      await catalog.create(newProduct("p-cup"), "user:ops", at);
      await catalog.update("1", { description: "Changed", sellable: false }, "user:ops", at);
      const reopened = await open(seedProducts);
      expect(await reopened.get("1")).toMatchObject({ description: "Changed", sellable: false });
      expect((await reopened.list(100)).products).toHaveLength(seedProducts.length + 1);
      expect(await reopened.changes("1")).toHaveLength(1);
    });
  });
}
