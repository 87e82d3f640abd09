import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  buildEnvelope,
  currentTraceContext,
  encodeEnvelope,
  ORDER_EVENTS_TOPIC,
  type OutboxMessage,
} from "@checkout-saga/shared";
import { OrderStatusChangedSchema } from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import type { StatusChange } from "../domain/order.js";

/**
 * OrderStatusChanged for the outbox, keyed by the order's user so one user's order events stay
 * in order. Carries the W3C context of the work that made the change, as checkout events do.
 */
export function orderStatusChangedEvent(
  order: { id: string; userId: string; checkoutId: string },
  change: StatusChange,
): OutboxMessage {
  const trace = currentTraceContext();
  const envelope = buildEnvelope({
    eventId: randomUUID(),
    aggregateId: order.id,
    occurredAt: change.at,
    correlationId: order.checkoutId,
    ...trace,
    payload: {
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
    },
  });
  return {
    eventId: envelope.eventId,
    eventType: envelope.type,
    aggregateId: order.id,
    topic: ORDER_EVENTS_TOPIC,
    key: order.userId,
    payload: encodeEnvelope(envelope),
    headers: {
      "event-id": envelope.eventId,
      "event-type": envelope.type,
      "content-type": "application/x-protobuf",
      ...(trace.traceparent ? { traceparent: trace.traceparent } : {}),
      ...(trace.tracestate ? { tracestate: trace.tracestate } : {}),
    },
  };
}
