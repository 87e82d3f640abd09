import { type Amount, fromMoneyProto, money, multiplyMoney, sumMoney } from "@checkout-saga/shared";
import type { Cart } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import type { Product } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import type { CartJson, CartLineJson } from "../openapi/schemas.js";
import { amountJson } from "./json.js";

/** The currency of an empty cart's zero total. */
export const DEFAULT_CURRENCY = "USD";

/**
 * The cart with today's catalog names and prices, line subtotals and the total (in the
 * catalog's currency). Prices always come from the catalog, never from the cart.
 */
export function enrichCart(cart: Cart | undefined, products: Product[]): CartJson {
  const byId = new Map(products.map((p) => [p.id, p]));
  const subtotals: Amount[] = [];
  const items = (cart?.items ?? []).map((line): CartLineJson => {
    const product = byId.get(line.productId);
    if (!product) {
      return { product_id: line.productId, name: null, quantity: line.quantity, unit_price: null, subtotal: null };
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
  const currency = subtotals[0]?.currency ?? DEFAULT_CURRENCY;
  return { items, total: amountJson(subtotals.length ? sumMoney(subtotals, currency) : money(currency, 0)) };
}
