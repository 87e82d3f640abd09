import {
  type Amount,
  checkoutTotals,
  failedPrecondition,
  multiplyMoney,
  type TaxClass,
  type Totals,
} from "@checkout-saga/shared";
import type { CheckoutItem } from "./checkout-session.js";

export interface CartLine {
  productId: string;
  quantity: number;
}

/** A product as the catalog prices it in one currency: `price` is absent when it is not sold in it. */
export interface CatalogEntry {
  id: string;
  name: string;
  price?: Amount;
  taxClass: TaxClass;
  /** False once an admin took it off sale. */
  sellable: boolean;
}

export interface PricedCart {
  items: CheckoutItem[];
  /** What is charged (totals.total). */
  total: Amount;
  totals: Totals;
}

/**
 * Prices the cart in its currency from the catalog, server-side: the client never states a
 * price. An empty cart, a product no longer in the catalog, taken off sale by an admin, or no
 * longer sold in the cart's currency stops the checkout. The totals carry the tax contained per rate (consumption tax).
 */
export function priceCart(lines: CartLine[], catalog: CatalogEntry[], currency: string): PricedCart {
  if (lines.length === 0) throw failedPrecondition("CART_EMPTY", "the cart is empty");
  const byId = new Map(catalog.map((p) => [p.id, p]));
  const priced = lines.map((line) => {
    const product = byId.get(line.productId);
    if (!product) {
      throw failedPrecondition("PRODUCT_NOT_FOUND", `product ${line.productId} is no longer in the catalog`, {
        metadata: { product_id: line.productId },
      });
    }
    if (!product.sellable) {
      throw failedPrecondition("PRODUCT_NOT_SELLABLE", `product ${product.id} is not for sale`, {
        metadata: { product_id: product.id },
      });
    }
    const price = product.price;
    if (price?.currency !== currency) {
      throw failedPrecondition("PRODUCT_NOT_PRICED", `product ${product.id} has no price in ${currency}`, {
        metadata: { product_id: product.id, currency },
      });
    }
    return { line, product, price };
  });
  const totals = checkoutTotals(
    priced.map(({ line, product, price }) => ({
      amount: multiplyMoney(price, line.quantity),
      taxClass: product.taxClass,
    })),
    currency,
  );
  return {
    items: priced.map(({ line, product, price }) => ({
      productId: product.id,
      name: product.name,
      quantity: line.quantity,
      unitPriceMinor: price.amountMinor,
    })),
    total: totals.total,
    totals,
  };
}
