import {
  type Order,
  type OrderCancellation,
  type OrderItem,
  OrderStatus,
} from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import type { OrderJson } from "../openapi/schemas.js";
import { addressJson } from "./address.js";
import { isoTime, moneyJson, totalsJson } from "./json.js";

const ORDER_STATUSES = new Set<string>(["CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED"]);

/** "CONFIRMED": the plain status name. */
function orderStatusName(s: OrderStatus): OrderJson["status"] {
  const name = OrderStatus[s];
  return ORDER_STATUSES.has(name) ? (name as OrderJson["status"]) : "UNSPECIFIED";
}

const itemJson = (i: OrderItem) => ({
  product_id: i.productId,
  name: i.name,
  quantity: i.quantity,
  cancelled_quantity: i.cancelledQuantity,
  unit_price: moneyJson(i.unitPrice),
});

/** An order as its customer (or an admin) sees it; who made each change stays in the service's records and logs. */
export function orderJson(o: Order): OrderJson {
  return {
    id: o.id,
    checkout_id: o.checkoutId,
    status: orderStatusName(o.status),
    total: moneyJson(o.total),
    totals: totalsJson(o.totals, o.total),
    items: o.items.map(itemJson),
    status_history: o.statusHistory.map((h) => ({
      from: h.from === OrderStatus.UNSPECIFIED ? null : orderStatusName(h.from),
      to: orderStatusName(h.to),
      reason: h.reason,
      at: isoTime(h.at),
    })),
    cancellations: o.cancellations.map(cancellationJson),
    shipping_address: o.shippingAddress ? addressJson(o.shippingAddress) : null,
    created_at: isoTime(o.createdAt),
    updated_at: isoTime(o.updatedAt),
  };
}

/** A cancellation, on its order and as POST /orders/{id}/cancel answers it. */
export const cancellationJson = (x: OrderCancellation) => ({
  cancellation_id: x.cancellationId,
  status: x.status,
  refund: moneyJson(x.refund),
  points_returned: Number(x.pointsReturned),
  lines: x.lines.map(itemJson),
});

/**
 * A cancellation as operators see it: the customer's view plus whose order and its attention
 * flag; `history` where the caller asked for the full record.
 */
export const adminCancellationJson = (x: OrderCancellation, options: { history: boolean }) => ({
  ...cancellationJson(x),
  order_id: x.orderId,
  user_id: x.userId,
  needs_attention: x.needsAttention,
  failure_reason: x.failureReason || null,
  created_at: isoTime(x.createdAt),
  ...(options.history
    ? { history: x.history.map((t) => ({ from: t.from || null, to: t.to, reason: t.reason, at: isoTime(t.at) })) }
    : {}),
});
