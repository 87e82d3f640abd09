import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  type Amount,
  type EventHandler,
  fromShippingAddressProto,
  fromTotalsProto,
  type Logger,
} from "@checkout-saga/shared";
import type { Money } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import type { CheckoutCompleted, EventEnvelope } from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import { draftOrder, type OrderDraft } from "../domain/order.js";
import type { OrderStore } from "../domain/order-store.js";

/** Event types this consumer knows; a known type without its payload is malformed, not new. */
const KNOWN_TYPES = new Set(["", "CheckoutCompleted", "CheckoutFailed"]);

/**
 * The `orders-service` consumer of checkout events: a CheckoutCompleted becomes a CONFIRMED
 * order, committed before the handler resolves. Redeliveries and replays (same or new event id)
 * find the checkout's order already there and change nothing. CheckoutFailed needs no order.
 * A malformed event throws, so the bus retries and then parks it as a dead letter.
 */
export function createOrderFromCheckoutHandler(deps: { orders: OrderStore; logger: Logger }): EventHandler {
  const { orders, logger } = deps;
  return async (event) => {
    const { payload } = event;
    switch (payload.case) {
      case "checkoutCompleted": {
        const draft = toDraft(event, payload.value);
        const { orderId, created } = await orders.place(draft);
        logger.info(
          { eventId: event.eventId, checkoutId: draft.checkoutId, orderId, created },
          created ? "order placed" : "order already placed for this checkout",
        );
        return;
      }
      case "checkoutFailed":
        return;
      default:
        if (KNOWN_TYPES.has(event.type)) throw malformed(event, "the envelope has no payload");
        // A type added after this consumer was written: not ours to act on, and no reason to block the partition.
        logger.debug({ eventId: event.eventId, type: event.type }, "ignoring unknown event type");
    }
  };
}

function toDraft(event: EventEnvelope, c: CheckoutCompleted): OrderDraft {
  if (c.checkoutId === "") throw malformed(event, "checkout_id is missing");
  if (event.aggregateId !== "" && event.aggregateId !== c.checkoutId) {
    throw malformed(event, `aggregate_id ${event.aggregateId} is not the payload's checkout_id ${c.checkoutId}`);
  }
  try {
    return draftOrder({
      checkoutId: c.checkoutId,
      userId: c.userId,
      total: amount(c.total, "total"),
      ...(c.totals ? { totals: fromTotalsProto(c.totals) } : {}),
      lines: c.items.map((item, i) => ({
        productId: item.productId,
        name: item.name,
        quantity: item.quantity,
        unitPrice: amount(item.unitPrice, `line ${i + 1} unit_price`),
      })),
      shippingAddress: fromShippingAddressProto(c.shippingAddress),
      paymentId: c.paymentId,
      checkoutCompletedAt: c.completedAt ? timestampDate(c.completedAt) : undefined,
      sourceEventId: event.eventId,
    });
  } catch (err) {
    throw malformed(event, (err as Error).message, err);
  }
}

function amount(m: Money | undefined, what: string): Amount {
  if (!m) throw new Error(`${what} is missing`);
  // draftOrder checks it: amounts beyond 2^53 arrive here as unsafe integers and are refused there.
  return { currency: m.currency, amountMinor: Number(m.amountMinor) };
}

const malformed = (event: EventEnvelope, reason: string, cause?: unknown) =>
  new Error(`malformed ${event.type || "checkout"} event ${event.eventId || "(no event_id)"}: ${reason}`, { cause });
