import {
  type BusReadiness,
  busReadiness,
  CHECKOUT_EVENTS_TOPIC,
  consumerMetrics,
  createPostgres,
  type EventSubscriber,
  type InProcessServices,
  type Logger,
  postgresReadiness,
  type StartedService,
  startService,
  tracedEventHandler,
} from "@checkout-saga/shared";
import type { OrdersConfig } from "./config.js";
import { createOrderFromCheckoutHandler } from "./events/create-order-from-checkout.js";
import { ordersCallPolicy } from "./rpc/orders-call-policy.js";
import { ordersRoutes } from "./rpc/orders-routes.js";
import { migrateOrdersDatabase } from "./store/migrate-orders-database.js";
import { createPostgresOrderStore } from "./store/postgres-order-store.js";

export type OrdersService = StartedService;

/** The consumer group that turns completed checkouts into orders. */
export const ORDERS_CONSUMER_GROUP = "orders-service";

/**
 * Migrates the database, serves OrdersService and consumes checkout events from `deps.events`.
 * `stop` closes the servers, then the subscription (the order in flight is committed), then the pool.
 */
export function startOrdersService(
  config: OrdersConfig,
  logger: Logger,
  deps: { events: EventSubscriber & Partial<BusReadiness>; inProcess?: InProcessServices },
): Promise<OrdersService> {
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
      const orders = createPostgresOrderStore(sql);
      const subscription = await deps.events.subscribe({
        topic: CHECKOUT_EVENTS_TOPIC,
        group: ORDERS_CONSUMER_GROUP,
        handler: tracedEventHandler(ORDERS_CONSUMER_GROUP, createOrderFromCheckoutHandler({ orders, logger })),
        observer: consumerMetrics(scope.metrics),
      });
      scope.background(() => subscription.close());
      return {
        routes: ordersRoutes(orders),
        callPolicy: ordersCallPolicy,
        // Orders are read while the broker is away; only new ones wait, so it does not decide readiness.
        checks: { database: postgresReadiness(sql), ...busReadiness(deps.events) },
      };
    },
  });
}
