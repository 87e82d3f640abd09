import {
  type BusReadiness,
  busReadiness,
  CHECKOUT_EVENTS_TOPIC,
  consumerMetrics,
  createOutboxRelay,
  createOutboxRetention,
  createOutboxSignal,
  createPostgres,
  type EventPublisher,
  type EventSubscriber,
  type InProcessServices,
  type Logger,
  postgresReadiness,
  type StartedService,
  startService,
  tracedEventHandler,
} from "@checkout-saga/shared";
import { DEFAULT_ORDERS_OUTBOX, type OrdersConfig } from "./config.js";
import { createOrderFromCheckoutHandler } from "./events/create-order-from-checkout.js";
import { ordersCallPolicy } from "./rpc/orders-call-policy.js";
import { ordersRoutes } from "./rpc/orders-routes.js";
import { migrateOrdersDatabase } from "./store/migrate-orders-database.js";
import { createPostgresOrderStore } from "./store/postgres-order-store.js";

export type OrdersService = StartedService;

/** The consumer group that turns completed checkouts into orders. */
export const ORDERS_CONSUMER_GROUP = "orders-service";

/** How often published outbox rows past retention are swept. */
const OUTBOX_RETENTION_SWEEP_MS = 10 * 60_000;

/**
 * Migrates the database, serves OrdersService, consumes checkout events from `deps.events` and
 * relays its own outbox (order-events) to the same bus: the in-process one in embedded mode,
 * Kafka in production. `stop` closes the servers, then the relay and retention (the batch in
 * flight finishes), then the subscription (the order in flight is committed), then the pool.
 */
export function startOrdersService(
  config: OrdersConfig,
  logger: Logger,
  deps: { events: EventSubscriber & EventPublisher & Partial<BusReadiness>; inProcess?: InProcessServices },
): Promise<OrdersService> {
  const outbox = config.outbox ?? DEFAULT_ORDERS_OUTBOX;
  return startService({
    inProcess: deps.inProcess,
    name: "orders-service",
    logger,
    port: config.port,
    adminPort: config.adminPort,
    credentials: config.credentials,
    migrate: () => migrateOrdersDatabase(config.databaseUrl),
    async compose(scope) {
      const sql = scope.resource(createPostgres(config.databaseUrl), (pool) => pool.end());
      const outboxSignal = createOutboxSignal();
      const orders = createPostgresOrderStore(sql, { outboxSignal });
      const subscription = await deps.events.subscribe({
        topic: CHECKOUT_EVENTS_TOPIC,
        group: ORDERS_CONSUMER_GROUP,
        handler: tracedEventHandler(ORDERS_CONSUMER_GROUP, createOrderFromCheckoutHandler({ orders, logger })),
        observer: consumerMetrics(scope.metrics),
      });
      scope.background(() => subscription.close());
      const relay = createOutboxRelay(
        { sql, publisher: deps.events, signal: outboxSignal, logger },
        { batchSize: outbox.batchSize, pollIntervalMs: outbox.pollIntervalMs },
      );
      relay.start();
      scope.background(() => relay.stop());
      scope.periodic(() =>
        createOutboxRetention(
          { sql, logger },
          { retentionDays: outbox.retentionDays, intervalMs: OUTBOX_RETENTION_SWEEP_MS },
        ).start(),
      );
      return {
        routes: ordersRoutes(orders, logger),
        callPolicy: ordersCallPolicy,
        // Orders are read while the broker is away; only new ones wait, so it does not decide readiness.
        checks: { database: postgresReadiness(sql), ...busReadiness(deps.events) },
      };
    },
  });
}
