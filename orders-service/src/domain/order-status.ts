import { failedPrecondition } from "@checkout-saga/shared";
import type { OrderStatus } from "./order.js";

/** Where an order may go next. DELIVERED and CANCELLED are final. */
const nextStatuses: Record<OrderStatus, readonly OrderStatus[]> = {
  CONFIRMED: ["SHIPPED", "CANCELLED"],
  SHIPPED: ["DELIVERED"],
  DELIVERED: [],
  CANCELLED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return nextStatuses[from].includes(to);
}

/**
 * Whether an order in `from` has to change to reach `to`: false when it is already there
 * (a retried update is a no-op, not an error); throws INVALID_ORDER_TRANSITION when not allowed.
 */
export function needsTransition(orderId: string, from: OrderStatus, to: OrderStatus): boolean {
  if (from === to) return false;
  if (canTransition(from, to)) return true;
  throw failedPrecondition("INVALID_ORDER_TRANSITION", `order ${orderId} cannot go from ${from} to ${to}`, {
    metadata: { order_id: orderId, from, to },
  });
}
