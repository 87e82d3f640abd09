import {
  type AdminServer,
  type BusReadiness,
  CHECKOUT_EVENTS_TOPIC,
  consumerMetrics,
  createMetricsRegistry,
  createPostgres,
  type EventSubscriber,
  type Logger,
  type ReadinessCheck,
  type RpcServer,
  type Running,
  startAdminServer,
  startRpcServer,
  tracedEventHandler,
} from "@checkout-saga/shared";
import type { OrdersConfig } from "./config.js";
import { createOrderFromCheckoutHandler } from "./events/create-order-from-checkout.js";
import { ordersRoutes } from "./rpc/orders-routes.js";
import { migrateOrdersDatabase } from "./store/migrate-orders-database.js";
import { createPostgresOrderStore } from "./store/postgres-order-store.js";

export interface OrdersService extends Running {
  readonly port: number;
  /** Where /health and /metrics answer; undefined when the config has no admin port. */
  readonly adminPort?: number;
}

/** The consumer group that turns completed checkouts into orders. */
export const ORDERS_CONSUMER_GROUP = "orders-service";

/**
 * Migrates the database, serves OrdersService and consumes checkout events from `deps.events`.
 * `stop` closes the subscription first (no order is half-written), then the server, then the pool.
 */
export async function startOrdersService(
  config: OrdersConfig,
  logger: Logger,
  deps: { events: EventSubscriber & Partial<BusReadiness> },
): Promise<OrdersService> {
  const sql = createPostgres(config.databaseUrl);
  const metrics = createMetricsRegistry("orders-service");
  let server: RpcServer | undefined;
  let admin: AdminServer | undefined;
  try {
    await migrateOrdersDatabase(config.databaseUrl);
    const orders = createPostgresOrderStore(sql);
    server = await startRpcServer({ port: config.port, routes: ordersRoutes(orders), logger, metrics });
    const subscription = await deps.events.subscribe({
      topic: CHECKOUT_EVENTS_TOPIC,
      group: ORDERS_CONSUMER_GROUP,
      handler: tracedEventHandler(ORDERS_CONSUMER_GROUP, createOrderFromCheckoutHandler({ orders, logger })),
      observer: consumerMetrics(metrics),
    });
    if (config.adminPort !== undefined) {
      const checks: Record<string, ReadinessCheck> = {
        database: { critical: true, check: async () => void (await sql`select 1`) },
      };
      // Orders are read while the broker is away; only new ones wait, so it does not decide readiness.
      const kafkaReady = deps.events.ready?.bind(deps.events);
      if (kafkaReady) checks.kafka = { critical: false, check: kafkaReady };
      admin = await startAdminServer({ port: config.adminPort, logger, registry: metrics, checks }).catch(
        async (err: unknown) => {
          await subscription.close();
          throw err;
        },
      );
    }
    const running = server;
    return {
      port: running.port,
      adminPort: admin?.port,
      async stop() {
        await admin?.close();
        await subscription.close();
        await running.close();
        await sql.end();
      },
    };
  } catch (err) {
    await server?.close();
    await sql.end();
    throw err;
  }
}
