import { create } from "@bufbuild/protobuf";
import {
  createInProcessDeadLetters,
  createInProcessEventBus,
  createServiceClient,
  createServiceTransport,
  decodeEnvelope,
  type EventPublisher,
} from "@checkout-saga/shared";
import {
  CheckoutService,
  InitiateCheckoutRequestSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import type { EventEnvelope } from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import { createTestDatabase, testLogger } from "@checkout-saga/shared/testing";
import { loadCheckoutConfig, startCheckoutService } from "../src/index.js";
import { type FakeWorld, startFakeDownstream } from "./fake-downstream.js";

/**
 * Starts the checkout service on port 0 against `databaseUrl`, every downstream at
 * `downstreamUrl` (or wherever `env` points each one).
 */
export async function startCheckout(options: {
  databaseUrl: string;
  downstreamUrl?: string;
  env?: Record<string, string>;
  events?: EventPublisher;
}) {
  const bus = createInProcessEventBus({ logger: testLogger() });
  const received: EventEnvelope[] = [];
  await bus.subscribe({
    topic: "checkout-events",
    group: "test",
    handler: async (event) => {
      received.push(event);
    },
  });
  const config = loadCheckoutConfig({
    CHECKOUT_PORT: "0",
    CHECKOUT_DATABASE_URL: options.databaseUrl,
    ...(options.downstreamUrl && {
      CART_URL: options.downstreamUrl,
      PRODUCT_URL: options.downstreamUrl,
      INVENTORY_URL: options.downstreamUrl,
      PAYMENT_URL: options.downstreamUrl,
    }),
    OUTBOX_POLL_INTERVAL_MS: "50",
    CHECKOUT_RECOVERY_INTERVAL_MS: "200",
    // Tests here inject downstream failures on purpose; circuit breakers have tests of their own.
    CHECKOUT_BREAKER_FAILURES: "1000",
    // ...and a downstream that stays away: its compensations count every failure at once.
    CHECKOUT_COMPENSATION_PATIENCE_MS: "0",
    ...options.env,
  });
  const service = await startCheckoutService(config, testLogger("checkout"), {
    events: options.events ?? bus,
    deadLetters: createInProcessDeadLetters(bus),
  });
  const client = createServiceClient(CheckoutService, createServiceTransport(`http://127.0.0.1:${service.port}`));
  return { service, client, received, bus, decode: decodeEnvelope };
}

/**
 * The checkout service on a fresh test database named `database`, its downstreams the fakes of
 * `world`; `stop` ends both.
 */
export async function startCheckoutOnFakes(world: FakeWorld, database: string, env: Record<string, string> = {}) {
  const downstream = await startFakeDownstream(world);
  const checkout = await startCheckout({
    databaseUrl: await createTestDatabase(database),
    downstreamUrl: downstream.url,
    env,
  });
  return {
    ...checkout,
    async stop() {
      await checkout.service.stop();
      await downstream.server.close();
    },
  };
}

export const ADDRESS = {
  name: "Ada Lovelace",
  phone: "+1 555 0100",
  postalCode: "94105",
  region: "CA",
  city: "San Francisco",
  line1: "1 Market St",
  country: "US",
};

export const checkoutRequest = (
  userId: string,
  key: string,
  over: { token?: string; stepMode?: boolean; points?: number } = {},
) =>
  create(InitiateCheckoutRequestSchema, {
    userId,
    idempotencyKey: key,
    paymentMethod: { type: "card", token: over.token ?? "tok_visa" },
    shippingAddress: ADDRESS,
    stepMode: over.stepMode ?? false,
    points: BigInt(over.points ?? 0),
  });

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
