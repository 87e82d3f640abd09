import { setTimeout as sleep } from "node:timers/promises";
import {
  CHECKOUT_EVENTS_TOPIC,
  type ConsumerObserver,
  type EventSubscriber,
  type Logger,
  type Subscription,
  tracedEventHandler,
} from "@checkout-saga/shared";
import type { Carts } from "../domain/carts.js";

/** The consumer group the cart service reads checkout events as. */
export const CART_CONSUMER_GROUP = "cart-service";

/**
 * Settles a checkout's claim on the cart on CheckoutCompleted (its lines leave the cart; a
 * checkout without a claim has the event's lines taken out instead) and releases it on
 * CheckoutFailed; other events are not the cart's business. Both are idempotent, and the
 * handler resolves only after the cart write is durable, so the bus may move on.
 */
export function subscribeToCheckoutEvents(deps: {
  events: EventSubscriber;
  carts: Carts;
  logger: Logger;
  /** Told how each delivery ended (consumer metrics). */
  observer?: ConsumerObserver;
  /** Waited before handling each event: a drill's slow consumer (CART_CONSUMER_DELAY_MS); default 0. */
  delayMs?: number;
}): Promise<Subscription> {
  const { events, carts, logger, delayMs = 0 } = deps;
  return events.subscribe({
    topic: CHECKOUT_EVENTS_TOPIC,
    group: CART_CONSUMER_GROUP,
    observer: deps.observer,
    handler: tracedEventHandler(CART_CONSUMER_GROUP, async (event) => {
      if (delayMs > 0) await sleep(delayMs);
      if (event.payload.case === "checkoutCompleted") {
        const completed = event.payload.value;
        const outcome = await carts.applyCheckoutCompleted({
          eventId: event.eventId,
          userId: completed.userId,
          checkoutId: completed.checkoutId,
          lines: completed.items.map((i) => ({ productId: i.productId, quantity: i.quantity })),
        });
        logger.info(
          { eventId: event.eventId, checkoutId: completed.checkoutId, userId: completed.userId, outcome },
          "CheckoutCompleted handled",
        );
      } else if (event.payload.case === "checkoutFailed") {
        const failed = event.payload.value;
        // The saga's compensation releases the claim too; this covers a compensation that
        // never reached the cart, so a failed checkout cannot hold lines forever.
        const outcome = await carts.releaseClaim(failed.userId, failed.checkoutId);
        logger.info(
          { eventId: event.eventId, checkoutId: failed.checkoutId, userId: failed.userId, outcome },
          "CheckoutFailed handled",
        );
      }
    }),
  });
}
