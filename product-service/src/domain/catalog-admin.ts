import { notFound } from "@checkout-saga/shared";
import type { Catalog, Product, ProductPatch } from "./product.js";
import { type ProductDraft, productFromDraft } from "./product-edits.js";

/** Where a new product's stock goes: the inventory service, which owns stock. */
export interface ShelfStock {
  /** Puts `units` of the product on the shelf (0: only makes its stock row), recording `reason`. */
  add(productId: string, units: number, reason: string): Promise<void>;
}

/**
 * What admins do to the catalog. A new product's stock is set before the product is written:
 * until the catalog row exists nobody can see, add or buy the product, so a failure between the
 * two leaves at most a stock row for an id nobody knows — never a sellable product without stock
 * (which the reverse order would leave) nor a product a retry would duplicate silently.
 */
export function createCatalogAdmin(deps: {
  catalog: Catalog;
  stock: ShelfStock;
  now: () => Date;
  newId: () => string;
}) {
  return {
    async create(draft: ProductDraft, initialStock: number, actor: string): Promise<Product> {
      // Checked before anything is written anywhere.
      const product = productFromDraft(deps.newId(), draft);
      await deps.stock.add(product.id, initialStock, `initial stock of new product ${product.id}, by ${actor}`);
      await deps.catalog.create(product, actor, deps.now());
      return product;
    },
    /** Applies `patch`; one that sets nothing changes and records nothing, and answers the product. */
    async update(id: string, patch: ProductPatch, actor: string): Promise<Product> {
      const empty = Object.values(patch).every((v) => v === undefined);
      const updated = empty ? await deps.catalog.get(id) : await deps.catalog.update(id, patch, actor, deps.now());
      if (!updated)
        throw notFound("PRODUCT_NOT_FOUND", `product ${id} does not exist`, { metadata: { product_id: id } });
      return updated;
    },
  };
}

export type CatalogAdmin = ReturnType<typeof createCatalogAdmin>;
