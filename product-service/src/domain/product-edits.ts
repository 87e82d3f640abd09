import { type Amount, currencyExponent, invalidArgument, money, type TaxClass } from "@checkout-saga/shared";
import type { Product, ProductPatch } from "./product.js";

/** A new product as an admin describes it; the id is the catalog's to give. */
export interface ProductDraft {
  name: string;
  description: string;
  prices: Array<{ currency: string; amountMinor: number }>;
  taxClass: TaxClass;
  imageUrl: string;
}

/**
 * The prices a product is to be sold at, ordered by currency as the catalog keeps them. Two
 * prices in one currency would make "the price in USD" ambiguous: refused, naming the currency.
 */
export function productPrices(prices: Array<{ currency: string; amountMinor: number }>): Amount[] {
  const seen = new Set<string>();
  for (const { currency } of prices) {
    currencyExponent(currency);
    if (seen.has(currency)) {
      throw invalidArgument("DUPLICATE_CURRENCY", `two prices in ${currency}: a product has one price per currency`, {
        metadata: { currency, field: "prices" },
      });
    }
    seen.add(currency);
  }
  return prices.map((p) => money(p.currency, p.amountMinor)).sort((a, b) => a.currency.localeCompare(b.currency));
}

/** The product a draft becomes under `id`: on sale from the start. */
export const productFromDraft = (id: string, draft: ProductDraft): Product => ({
  id,
  name: draft.name,
  description: draft.description,
  prices: productPrices(draft.prices),
  taxClass: draft.taxClass,
  imageUrl: draft.imageUrl,
  sellable: true,
});

/** The product after `patch`: stores call this inside their transaction, on the row they locked. */
export const applyPatch = (product: Product, patch: ProductPatch): Product => ({
  ...product,
  ...(patch.prices !== undefined ? { prices: patch.prices } : {}),
  ...(patch.description !== undefined ? { description: patch.description } : {}),
  ...(patch.sellable !== undefined ? { sellable: patch.sellable } : {}),
});

/** A patch as the change record keeps it: only what it sets, prices as plain objects. */
export const patchDetails = (patch: ProductPatch): Record<string, unknown> => ({
  ...(patch.prices !== undefined ? { prices: patch.prices.map((p) => ({ ...p })) } : {}),
  ...(patch.description !== undefined ? { description: patch.description } : {}),
  ...(patch.sellable !== undefined ? { sellable: patch.sellable } : {}),
});

/** A new product as the change record keeps it. */
export const productDetails = (p: Product): Record<string, unknown> => ({
  name: p.name,
  description: p.description,
  prices: p.prices.map((price) => ({ ...price })),
  taxClass: p.taxClass,
  imageUrl: p.imageUrl,
});
