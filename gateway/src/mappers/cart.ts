import { type Amount, fromMoneyProto, money, multiplyMoney, sumMoney } from "@checkout-saga/shared";
import type { Cart } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import type { Product } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import type { CartJson, CartLineJson } from "../openapi/schemas.js";
import { amountJson } from "./json.js";

/** The currency of a cart the service answered without one (it always sets it). */
export const DEFAULT_CURRENCY = "USD";

/**
 * The cart with today's catalog names and prices in the cart's currency (`products` were
 * looked up in it), line subtotals and the total. Prices always come from the catalog, never
 * from the cart. A line whose product is gone, or no longer priced in the cart's currency,
 * shows null prices and counts for nothing.
 */
export function enrichCart(cart: Cart | undefined, products: Product[]): CartJson {
  const currency = cart?.currency || DEFAULT_CURRENCY;
  const byId = new Map(products.map((p) => [p.id, p]));
  const subtotals: Amount[] = [];
  const items = (cart?.items ?? []).map((line): CartLineJson => {
    const product = byId.get(line.productId);
    if (!product?.price || product.price.currency !== currency) {
      const name = product?.name ?? null;
      return { product_id: line.productId, name, quantity: line.quantity, unit_price: null, subtotal: null };
    }
    const unit = fromMoneyProto(product.price);
    const subtotal = multiplyMoney(unit, line.quantity);
    subtotals.push(subtotal);
    return {
      product_id: line.productId,
      name: product.name,
      quantity: line.quantity,
      unit_price: amountJson(unit),
      subtotal: amountJson(subtotal),
    };
  });
  return { currency, items, total: amountJson(subtotals.length ? sumMoney(subtotals, currency) : money(currency, 0)) };
}
