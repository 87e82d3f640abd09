import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { loadProductConfig, startProductService } from "@checkout-saga/product-service";
import type { Logger } from "@checkout-saga/shared";
import {
  buildEnvelope,
  CHECKOUT_EVENTS_TOPIC,
  type CheckoutEvent,
  createInProcessEventBus,
  createServiceClient,
  createServiceTransport,
  encodeEnvelope,
  errorDetail,
  type InProcessEventBus,
} from "@checkout-saga/shared";
import { type Cart, CartService } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import {
  CheckoutCompletedSchema,
  CheckoutFailedSchema,
  EventLineSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import { Code, ConnectError } from "@connectrpc/connect";
import { type CartConfig, loadCartConfig, startCartService } from "../src/index.js";

export type CartClient = ReturnType<typeof connectCart>;

/** A client of the cart service on this port. */
export function connectCart(port: number) {
  return createServiceClient(CartService, createServiceTransport(`http://127.0.0.1:${port}`));
}

/**
 * A real cart service on a SQLite file in a temp dir, a real product service beside it, and an
 * in-process event bus to publish checkout events on. The cart can be stopped and started again
 * on the same file; `stop` ends everything and removes the dir.
 */
export async function startCartHarness(prefix: string, logger: Logger) {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const product = await startProductService(
    loadProductConfig({ PRODUCT_PORT: "0", PRODUCT_DATABASE_PATH: path.join(dir, "product.db") }),
    logger,
  );
  const bus: InProcessEventBus = createInProcessEventBus({ logger, maxAttempts: 1 });
  const config: CartConfig = loadCartConfig({
    CART_PORT: "0",
    CART_DATABASE_PATH: path.join(dir, "cart.db"),
    PRODUCT_URL: `http://127.0.0.1:${product.port}`,
  });
  let cart: { port: number; stop(): Promise<void> } | undefined;
  const harness = {
    dir,
    bus,
    config,
    /** Starts the cart service (again) and answers a client of it. */
    async startCart(): Promise<CartClient> {
      cart = await startCartService(config, logger, { events: bus });
      return connectCart(cart.port);
    },
    async stopCart(): Promise<void> {
      await cart?.stop();
      cart = undefined;
    },
    /** Publishes a checkout event on the bus, keyed by the user as the relay does. */
    async publish(userId: string, eventId: string, payload: CheckoutEvent): Promise<void> {
      const envelope = buildEnvelope({ eventId, aggregateId: `checkout-${eventId}`, occurredAt: new Date(), payload });
      await bus.publish(CHECKOUT_EVENTS_TOPIC, [{ key: userId, value: encodeEnvelope(envelope) }]);
    },
    async stop(): Promise<void> {
      await harness.stopCart();
      await product.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

export const checkoutCompleted = (
  userId: string,
  checkoutId: string,
  lines: Array<[string, number]>,
): CheckoutEvent => ({
  case: "checkoutCompleted",
  value: create(CheckoutCompletedSchema, {
    checkoutId,
    userId,
    items: lines.map(([productId, quantity]) => create(EventLineSchema, { productId, quantity })),
  }),
});

export const checkoutFailed = (userId: string, checkoutId: string): CheckoutEvent => ({
  case: "checkoutFailed",
  value: create(CheckoutFailedSchema, { checkoutId, userId, reasonCode: "PAYMENT_DECLINED" }),
});

/** A cart's lines as [product id, quantity] pairs. */
export const quantities = (c: Cart | undefined) => c?.items.map((i) => [i.productId, i.quantity]);

/** The call's failure as a ConnectError; fails the test if the call succeeds. */
export async function rejection(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected the call to fail");
}

/** The call's failure as "Code/REASON". */
export async function failure(call: Promise<unknown>): Promise<string> {
  const err = await rejection(call);
  return `${Code[err.code]}/${errorDetail(err)?.reason}`;
}
