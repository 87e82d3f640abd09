import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type CheckoutCompleted,
  type CheckoutFailed,
  type EventEnvelope,
  EventEnvelopeSchema,
  type OrderCancelled,
  type OrderStatusChanged,
} from "../gen/checkoutsaga/events/v1/events_pb.js";

export type CheckoutEvent =
  | { case: "checkoutCompleted"; value: CheckoutCompleted }
  | { case: "checkoutFailed"; value: CheckoutFailed };

/** What the orders service announces on `order-events`. */
export type OrderEvent =
  | { case: "orderStatusChanged"; value: OrderStatusChanged }
  | { case: "orderCancelled"; value: OrderCancelled };

const typeByCase = {
  checkoutCompleted: "CheckoutCompleted",
  checkoutFailed: "CheckoutFailed",
  orderStatusChanged: "OrderStatusChanged",
  orderCancelled: "OrderCancelled",
} as const;

/** Wraps an event in the stable envelope every consumer reads. */
export function buildEnvelope(input: {
  eventId: string;
  aggregateId: string;
  occurredAt: Date;
  correlationId?: string;
  causationId?: string;
  /** W3C trace context of the work that wrote the event; consumers continue its trace. */
  traceparent?: string;
  tracestate?: string;
  payload: CheckoutEvent | OrderEvent;
}): EventEnvelope {
  return create(EventEnvelopeSchema, {
    eventId: input.eventId,
    type: typeByCase[input.payload.case],
    version: 1,
    occurredAt: timestampFromDate(input.occurredAt),
    aggregateId: input.aggregateId,
    correlationId: input.correlationId ?? "",
    causationId: input.causationId ?? "",
    traceparent: input.traceparent ?? "",
    tracestate: input.tracestate ?? "",
    payload: input.payload,
  });
}

export const encodeEnvelope = (e: EventEnvelope): Uint8Array => toBinary(EventEnvelopeSchema, e);
export const decodeEnvelope = (bytes: Uint8Array): EventEnvelope => fromBinary(EventEnvelopeSchema, bytes);
