import {
  CHECKOUT_EVENTS_TOPIC,
  createPostgres,
  type EventSubscriber,
  type Logger,
  type RpcServer,
  type Running,
  startRpcServer,
} from "@checkout-saga/shared";
import type { OrdersConfig } from "./config.js";
import { createOrderFromCheckoutHandler } from "./events/create-order-from-checkout.js";
import { ordersRoutes } from "./rpc/orders-routes.js";
import { migrateOrdersDatabase } from "./store/migrate-orders-database.js";
import { createPostgresOrderStore } from "./store/postgres-order-store.js";

export interface OrdersService extends Running {
  readonly port: number;
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
  deps: { events: EventSubscriber },
): Promise<OrdersService> {
  const sql = createPostgres(config.databaseUrl);
  let server: RpcServer | undefined;
  try {
    await migrateOrdersDatabase(config.databaseUrl);
    const orders = createPostgresOrderStore(sql);
    server = await startRpcServer({ port: config.port, routes: ordersRoutes(orders), logger });
    const subscription = await deps.events.subscribe({
      topic: CHECKOUT_EVENTS_TOPIC,
      group: ORDERS_CONSUMER_GROUP,
      handler: createOrderFromCheckoutHandler({ orders, logger }),
    });
    const running = server;
    return {
      port: running.port,
      async stop() {
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
