import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  CHECKOUT_EVENTS_TOPIC,
  type OutboxMessage,
  outboxEvent,
  toMoneyProto,
  toShippingAddressProto,
  toTotalsProto,
} from "@checkout-saga/shared";
import {
  CheckoutCompletedSchema,
  CheckoutFailedSchema,
  EventLineSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import type { CheckoutRecord } from "../domain/checkout-session.js";

/**
 * The event announcing a checkout's end (COMPLETED or FAILED), ready for the outbox. Built
 * inside the saga step's span, whose W3C context it carries in the envelope and in the message
 * headers (the relay copies those to Kafka), so consumers continue the checkout's trace.
 */
export function checkoutEndedEvent(session: CheckoutRecord, at: Date): OutboxMessage {
  const currency = session.total.currency;
  const payload =
    session.status === "COMPLETED"
      ? {
          case: "checkoutCompleted" as const,
          value: create(CheckoutCompletedSchema, {
            checkoutId: session.id,
            userId: session.userId,
            items: session.items.map((i) =>
              create(EventLineSchema, {
                productId: i.productId,
                name: i.name,
                quantity: i.quantity,
                unitPrice: toMoneyProto({ currency, amountMinor: i.unitPriceMinor }),
              }),
            ),
            total: toMoneyProto(session.total),
            totals: session.totals && toTotalsProto(session.totals),
            paymentId: session.paymentId ?? "",
            reservationId: session.reservationId ?? "",
            shippingAddress: toShippingAddressProto(session.shippingAddress),
            completedAt: timestampFromDate(at),
          }),
        }
      : {
          case: "checkoutFailed" as const,
          value: create(CheckoutFailedSchema, {
            checkoutId: session.id,
            userId: session.userId,
            reasonCode: session.failure?.code ?? "STEP_FAILED",
            message: session.failure?.message ?? "",
            failedAt: timestampFromDate(at),
          }),
        };
  return outboxEvent({
    aggregateId: session.id,
    correlationId: session.id,
    occurredAt: at,
    topic: CHECKOUT_EVENTS_TOPIC,
    key: session.userId,
    payload,
  });
}
