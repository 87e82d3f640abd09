import { type Order, OrderStatus } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import type { OrderJson } from "../openapi/schemas.js";
import { addressJson } from "./address.js";
import { isoTime, moneyJson, totalsJson } from "./json.js";

const ORDER_STATUSES = new Set<string>(["CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED"]);

/** "CONFIRMED": the plain status name. */
function orderStatusName(s: OrderStatus): OrderJson["status"] {
  const name = OrderStatus[s];
  return ORDER_STATUSES.has(name) ? (name as OrderJson["status"]) : "UNSPECIFIED";
}

export function orderJson(o: Order): OrderJson {
  return {
    id: o.id,
    checkout_id: o.checkoutId,
    status: orderStatusName(o.status),
    total: moneyJson(o.total),
    totals: totalsJson(o.totals, o.total),
    items: o.items.map((i) => ({
      product_id: i.productId,
      name: i.name,
      quantity: i.quantity,
      unit_price: moneyJson(i.unitPrice),
    })),
    shipping_address: o.shippingAddress ? addressJson(o.shippingAddress) : null,
    created_at: isoTime(o.createdAt),
    updated_at: isoTime(o.updatedAt),
  };
}
