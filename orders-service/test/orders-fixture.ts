import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  buildEnvelope,
  CHECKOUT_EVENTS_TOPIC,
  createInProcessEventBus,
  createServiceClient,
  createServiceTransport,
  encodeEnvelope,
  type InProcessEventBus,
  ORDER_EVENTS_TOPIC,
  type OrderEvent,
} from "@checkout-saga/shared";
import {
  MoneySchema,
  ShippingAddressSchema,
  TotalsSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import {
  CheckoutCompletedSchema,
  type EventEnvelope,
  EventLineSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import { OrdersService } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import { CREDENTIALS_OFF, createTestDatabase, testLogger } from "@checkout-saga/shared/testing";
import { type OrdersConfig, startOrdersService } from "../src/index.js";

/**
 * The real service on a fresh database, fed by an in-process bus, with a client over HTTP/2;
 * `orderEvents` collects what its outbox relay published on order-events. `settings` adds to
 * its config (where its cancellations refund and return stock, their timings); `options.bus`
 * is a bus shared with other services (the payment service's points consumer), else its own.
 */
export async function startTestOrders(settings: Partial<OrdersConfig> = {}, options: { bus?: InProcessEventBus } = {}) {
  const logger = testLogger("orders-service");
  const bus = options.bus ?? createInProcessEventBus({ logger, maxAttempts: 2 });
  const orderEvents: Array<{ eventId: string; aggregateId: string } & OrderEvent> = [];
  await bus.subscribe({
    topic: ORDER_EVENTS_TOPIC,
    group: "orders-test",
    handler: async (e) => {
      if (e.payload.case === "orderStatusChanged" || e.payload.case === "orderCancelled") {
        orderEvents.push({ eventId: e.eventId, aggregateId: e.aggregateId, ...e.payload });
      }
    },
  });
  const databaseUrl = await createTestDatabase("orders");
  const service = await startOrdersService(
    { port: 0, databaseUrl, credentials: CREDENTIALS_OFF, logLevel: "silent", ...settings },
    logger,
    { events: bus },
  );
  const client = createServiceClient(OrdersService, createServiceTransport(`http://127.0.0.1:${service.port}`));
  return { bus, service, client, orderEvents, databaseUrl };
}

/** Publishes envelopes the way the outbox relay does; resolves once the consumer applied them. */
export const publish = (bus: InProcessEventBus, ...events: EventEnvelope[]) =>
  bus.publish(
    CHECKOUT_EVENTS_TOPIC,
    events.map((e) => ({ key: e.payload.case ? e.payload.value.userId : "", value: encodeEnvelope(e) })),
  );

export interface CheckoutCompletedInput {
  eventId?: string;
  checkoutId?: string;
  userId?: string;
  currency?: string;
  /** The payment the checkout took; by default a made-up id no payment service knows. */
  paymentId?: string;
  lines?: Array<{ productId: string; name: string; quantity: number; unitPriceMinor: number }>;
  /** Points the checkout redeemed: the total charged is the lines' sum less them (then the event carries totals). */
  pointsRedeemed?: number;
}

export const defaultLines = [
  { productId: "1", name: "Laptop", quantity: 1, unitPriceMinor: 129999 },
  { productId: "2", name: "Mouse", quantity: 2, unitPriceMinor: 2999 },
];

/** A CheckoutCompleted envelope as the checkout service writes it; the total is the lines' sum less the points redeemed. */
export function checkoutCompleted(input: CheckoutCompletedInput = {}): EventEnvelope {
  const checkoutId = input.checkoutId ?? `chk-${randomUUID()}`;
  const currency = input.currency ?? "USD";
  const lines = input.lines ?? defaultLines;
  const subtotal = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0);
  const points = input.pointsRedeemed ?? 0;
  const money = (amountMinor: number) => create(MoneySchema, { currency, amountMinor: BigInt(amountMinor) });
  const completedAt = new Date();
  return buildEnvelope({
    eventId: input.eventId ?? randomUUID(),
    aggregateId: checkoutId,
    occurredAt: completedAt,
    payload: {
      case: "checkoutCompleted",
      value: create(CheckoutCompletedSchema, {
        checkoutId,
        userId: input.userId ?? "alice",
        items: lines.map((l) =>
          create(EventLineSchema, {
            productId: l.productId,
            name: l.name,
            quantity: l.quantity,
            unitPrice: money(l.unitPriceMinor),
          }),
        ),
        total: money(subtotal - points),
        ...(points > 0
          ? {
              totals: create(TotalsSchema, {
                subtotal: money(subtotal),
                pointsRedeemed: money(points),
                total: money(subtotal - points),
              }),
            }
          : {}),
        paymentId: input.paymentId ?? `pay-${checkoutId}`,
        reservationId: `res-${checkoutId}`,
        shippingAddress: create(ShippingAddressSchema, {
          name: "Alice Example",
          phone: "+81 3 1234 5678",
          postalCode: "100-0001",
          region: "Tokyo",
          city: "Chiyoda",
          line1: "1-1 Chiyoda",
          country: "JP",
        }),
        completedAt: timestampFromDate(completedAt),
      }),
    },
  });
}
