import { failedPrecondition } from "@checkout-saga/shared";
import type { OrderStatus, StatusChange } from "./order.js";

/**
 * The moves an order makes after it is placed CONFIRMED. `cancel` is the cancellation saga's
 * (every line cancelled); shipping and delivering are an operator's. DELIVERED and CANCELLED
 * are final.
 */
export type OrderMove = "ship" | "deliver" | "cancel";

interface MoveRule {
  from: OrderStatus;
  to: OrderStatus;
  /** The FAILED_PRECONDITION reason when the order is elsewhere (the gateway's 409 problem type). */
  refusal: string;
  /** The history's reason when the caller gives none. */
  defaultReason: string;
}

const moveRules: Record<OrderMove, MoveRule> = {
  ship: { from: "CONFIRMED", to: "SHIPPED", refusal: "ORDER_NOT_SHIPPABLE", defaultReason: "shipped" },
  deliver: { from: "SHIPPED", to: "DELIVERED", refusal: "ORDER_NOT_DELIVERABLE", defaultReason: "delivered" },
  cancel: {
    from: "CONFIRMED",
    to: "CANCELLED",
    refusal: "ORDER_NOT_CANCELLABLE",
    defaultReason: "every line cancelled",
  },
};

/** Where an order may go next from `from`. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return Object.values(moveRules).some((m) => m.from === from && m.to === to);
}

/** A status change about to be written, before the database stamps its time. */
export type PlannedChange = Omit<StatusChange, "at"> & { from: OrderStatus };

/**
 * What `move` does to an order in `current`: the change to record, or undefined when the order
 * is already where the move leads (a retried call changes nothing and is no error). Anywhere
 * else it throws the move's refusal (FAILED_PRECONDITION) naming the order and its status.
 */
export function planMove(
  order: { id: string; status: OrderStatus },
  move: OrderMove,
  by: { actor: string; reason?: string },
): PlannedChange | undefined {
  const rule = moveRules[move];
  if (order.status === rule.to) return undefined;
  if (order.status !== rule.from) {
    throw failedPrecondition(rule.refusal, `order ${order.id} is ${order.status}: it cannot be ${rule.to}`, {
      metadata: { order_id: order.id, order_status: order.status },
    });
  }
  const reason = by.reason?.trim() || rule.defaultReason;
  return { from: rule.from, to: rule.to, reason, actor: by.actor };
}

/** The first entry of every order's history: placed CONFIRMED from its completed checkout. */
export const ORDER_PLACED: Omit<StatusChange, "at"> = {
  to: "CONFIRMED",
  reason: "checkout completed",
  actor: "service:orders-service",
};
