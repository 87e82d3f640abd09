import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  CHECKOUT_EVENTS_TOPIC,
  type ConsumerObserver,
  type EventHandler,
  type EventSubscriber,
  type Logger,
  ORDER_EVENTS_TOPIC,
  POINTS_CURRENCY,
  type Subscription,
  tracedEventHandler,
} from "@checkout-saga/shared";
import type {
  CheckoutCompleted,
  EventEnvelope,
  OrderCancelled,
} from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import type { CompletedCheckout, OrderCancellation, PointsLedger } from "../domain/points.js";

/** The consumer group the payment service reads checkout and order events as. */
export const PAYMENT_CONSUMER_GROUP = "payment-service";

/** The order status an OrderCancelled names once every line is cancelled. */
const ORDER_CANCELLED = "CANCELLED";

/** Event types this consumer acts on; a known type without its payload is malformed, not new. */
const KNOWN_TYPES = new Set(["", "CheckoutCompleted", "OrderCancelled"]);

/**
 * Points earned and taken back from events: a CheckoutCompleted earns its lot, an OrderCancelled
 * takes back its share (recorded until the earning arrives, when it overtook it). Both are
 * idempotent by checkout and cancellation, so redeliveries and replays change nothing; the
 * handler resolves once the ledger committed, so the bus moves on only past a durable effect.
 * A malformed event throws: the bus retries it, then parks it as a dead letter.
 */
export function createPointsEventHandler(deps: { points: PointsLedger; logger: Logger }): EventHandler {
  const { points, logger } = deps;
  return async (event) => {
    const { payload } = event;
    switch (payload.case) {
      case "checkoutCompleted": {
        const checkout = completedCheckout(event, payload.value);
        // Only yen earns: any other checkout costs the ledger no transaction (nor its cancellations).
        if (checkout.charged.currency !== POINTS_CURRENCY) return;
        const { earned, created } = await points.earn(checkout);
        logger.info(
          { eventId: event.eventId, checkoutId: checkout.checkoutId, earned, created },
          created ? "points earned" : "points already earned for this checkout",
        );
        return;
      }
      case "orderCancelled": {
        // Cancellations from before points existed name no checkout, which earned nothing.
        if (payload.value.checkoutId === "") return;
        if (payload.value.refund && payload.value.refund.currency !== POINTS_CURRENCY) return;
        const cancellation = orderCancellation(event, payload.value);
        const outcome = await points.takeBack(cancellation);
        logger.info(
          { eventId: event.eventId, cancellationId: cancellation.cancellationId, ...outcome },
          outcome.pending ? "take-back recorded until the earning arrives" : "earned points taken back",
        );
        return;
      }
      case "checkoutFailed":
      case "orderStatusChanged":
        return;
      default:
        if (KNOWN_TYPES.has(event.type)) throw malformed(event, "the envelope has no payload");
        // A type added after this consumer was written: not ours to act on, and no reason to block the partition.
        logger.debug({ eventId: event.eventId, type: event.type }, "ignoring unknown event type");
    }
  };
}

/** Subscribes the handler to both topics, as the one `payment-service` group. */
export function subscribeToPointsEvents(deps: {
  events: EventSubscriber;
  points: PointsLedger;
  logger: Logger;
  observer?: ConsumerObserver;
}): Promise<Subscription> {
  return deps.events.subscribe({
    topic: [CHECKOUT_EVENTS_TOPIC, ORDER_EVENTS_TOPIC],
    group: PAYMENT_CONSUMER_GROUP,
    handler: tracedEventHandler(PAYMENT_CONSUMER_GROUP, createPointsEventHandler(deps)),
    observer: deps.observer,
  });
}

function completedCheckout(event: EventEnvelope, c: CheckoutCompleted): CompletedCheckout {
  if (c.checkoutId === "" || c.userId === "") throw malformed(event, "checkout_id or user_id is missing");
  // What was charged: the totals' total (after points); events from before totals carry only `total`.
  const charged = c.totals?.total ?? c.total;
  if (!charged) throw malformed(event, "the amount charged is missing");
  const amountMinor = Number(charged.amountMinor);
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0)
    throw malformed(event, "the amount charged is not an amount");
  return {
    eventId: event.eventId,
    checkoutId: c.checkoutId,
    userId: c.userId,
    charged: { currency: charged.currency, amountMinor },
    completedAt: c.completedAt
      ? timestampDate(c.completedAt)
      : event.occurredAt
        ? timestampDate(event.occurredAt)
        : new Date(),
  };
}

function orderCancellation(event: EventEnvelope, c: OrderCancelled): OrderCancellation {
  if (c.cancellationId === "" || c.userId === "" || c.orderId === "") {
    throw malformed(event, "cancellation_id, order_id or user_id is missing");
  }
  const refunded = c.refund && c.refund.currency === POINTS_CURRENCY ? Number(c.refund.amountMinor) : 0;
  if (!Number.isSafeInteger(refunded) || refunded < 0) throw malformed(event, "the refund is not an amount");
  return {
    eventId: event.eventId,
    cancellationId: c.cancellationId,
    checkoutId: c.checkoutId,
    orderId: c.orderId,
    userId: c.userId,
    refundedMinor: refunded,
    ordersLastLines: c.orderStatus === ORDER_CANCELLED,
  };
}

const malformed = (event: EventEnvelope, reason: string) =>
  new Error(`malformed ${event.type || "points"} event ${event.eventId || "(no event_id)"}: ${reason}`);
