import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ORDER_EVENTS_TOPIC, type OutboxMessage, outboxEvent } from "@checkout-saga/shared";
import {
  type EventEnvelope,
  OrderStatusChangedSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import type { StatusChange } from "../domain/order.js";

type OrderEventPayload = Extract<EventEnvelope["payload"], { case: "orderStatusChanged" | "orderCancelled" }>;

/** OrderStatusChanged for the outbox: one per change of an order's status. */
export function orderStatusChangedEvent(
  order: { id: string; userId: string; checkoutId: string },
  change: StatusChange,
): OutboxMessage {
  return orderEventMessage(order, change.at, {
    case: "orderStatusChanged",
    value: create(OrderStatusChangedSchema, {
      orderId: order.id,
      userId: order.userId,
      checkoutId: order.checkoutId,
      from: change.from ?? "",
      to: change.to,
      reason: change.reason,
      actor: change.actor,
      changedAt: timestampFromDate(change.at),
    }),
  });
}

/**
 * An order event for the outbox (topic order-events), keyed by the order's user so one user's
 * order events stay in order; it carries the W3C context of the work that made it.
 */
export function orderEventMessage(
  order: { id: string; userId: string; checkoutId: string },
  occurredAt: Date,
  payload: OrderEventPayload,
): OutboxMessage {
  return outboxEvent({
    aggregateId: order.id,
    correlationId: order.checkoutId,
    occurredAt,
    topic: ORDER_EVENTS_TOPIC,
    key: order.userId,
    payload,
  });
}
