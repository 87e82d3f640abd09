import { type Amount, failedPrecondition, multiplyMoney, sumMoney } from "@checkout-saga/shared";
import type { CheckoutItem } from "./checkout-session.js";

export interface CartLine {
  productId: string;
  quantity: number;
}

export interface CatalogEntry {
  id: string;
  name: string;
  price: Amount;
}

export interface PricedCart {
  items: CheckoutItem[];
  total: Amount;
}

/**
 * Prices the cart from the catalog, server-side: the client never states a price. An empty
 * cart, a product no longer in the catalog or a mix of currencies stops the checkout.
 */
export function priceCart(lines: CartLine[], catalog: CatalogEntry[]): PricedCart {
  if (lines.length === 0) throw failedPrecondition("CART_EMPTY", "the cart is empty");
  const byId = new Map(catalog.map((p) => [p.id, p]));
  const priced = lines.map((line) => {
    const product = byId.get(line.productId);
    if (!product) {
      throw failedPrecondition("PRODUCT_NOT_FOUND", `product ${line.productId} is no longer in the catalog`, {
        metadata: { product_id: line.productId },
      });
    }
    return { line, product };
  });
  const currency = priced[0]!.product.price.currency;
  if (priced.some((p) => p.product.price.currency !== currency)) {
    throw failedPrecondition("MIXED_CURRENCIES", "the cart mixes currencies; check out one currency at a time");
  }
  return {
    items: priced.map(({ line, product }) => ({
      productId: product.id,
      name: product.name,
      quantity: line.quantity,
      unitPriceMinor: product.price.amountMinor,
    })),
    total: sumMoney(
      priced.map(({ line, product }) => multiplyMoney(product.price, line.quantity)),
      currency,
    ),
  };
}
