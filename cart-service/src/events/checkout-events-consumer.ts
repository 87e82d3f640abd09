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
 * Takes checked-out lines out of carts on CheckoutCompleted; other events are not the cart's
 * business. The handler resolves only after the cart write is durable, so the bus may move on.
 */
export function subscribeToCheckoutEvents(deps: {
  events: EventSubscriber;
  carts: Carts;
  logger: Logger;
  /** Told how each delivery ended (consumer metrics). */
  observer?: ConsumerObserver;
}): Promise<Subscription> {
  const { events, carts, logger } = deps;
  return events.subscribe({
    topic: CHECKOUT_EVENTS_TOPIC,
    group: CART_CONSUMER_GROUP,
    observer: deps.observer,
    handler: tracedEventHandler(CART_CONSUMER_GROUP, async (event) => {
      if (event.payload.case !== "checkoutCompleted") return;
      const completed = event.payload.value;
      const outcome = await carts.applyCheckoutCompleted({
        eventId: event.eventId,
        userId: completed.userId,
        lines: completed.items.map((i) => ({ productId: i.productId, quantity: i.quantity })),
      });
      logger.info(
        { eventId: event.eventId, checkoutId: completed.checkoutId, userId: completed.userId, outcome },
        "CheckoutCompleted handled",
      );
    }),
  });
}
