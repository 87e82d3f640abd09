import { type EventSubscriber, type Logger, type Running, startRpcServer } from "@checkout-saga/shared";
import { createMemoryCartCache } from "./cache/memory-cart-cache.js";
import { createProductCatalogClient } from "./clients/product-catalog-client.js";
import type { CartConfig } from "./config.js";
import { createCarts } from "./domain/carts.js";
import { subscribeToCheckoutEvents } from "./events/checkout-events-consumer.js";
import { cartRoutes } from "./rpc/cart-routes.js";
import { openSqliteCartStore } from "./store/sqlite-cart-store.js";
import { SWEEP_INTERVAL_MS, startIdleCartSweeper } from "./sweeper/idle-cart-sweeper.js";

export interface CartService extends Running {
  readonly port: number;
}

export interface CartServiceDeps {
  /** Where CheckoutCompleted events come from (the in-process bus in embedded mode). */
  events: EventSubscriber;
}

/**
 * Embedded mode: carts in SQLite behind an in-process cache, served over RPC, trimmed by
 * CheckoutCompleted events and swept when idle. `stop` undoes the start in reverse order.
 */
export async function startCartService(
  config: CartConfig,
  logger: Logger,
  deps: CartServiceDeps,
): Promise<CartService> {
  const now = () => new Date();
  const store = openSqliteCartStore(config.databasePath);
  const cache = createMemoryCartCache({ ttlMs: config.cacheTtlMs, jitterMs: config.cacheJitterMs });
  const products = createProductCatalogClient(config.productUrl);
  const carts = createCarts({ store, cache, products, now, logger });
  const started: Running[] = [];
  try {
    const server = await startRpcServer({ port: config.port, routes: cartRoutes(carts), logger });
    started.push({ stop: () => server.close() });
    const subscription = await subscribeToCheckoutEvents({ events: deps.events, carts, logger });
    started.push({ stop: () => subscription.close() });
    started.push(startIdleCartSweeper({ store, idleMs: config.idleMs, intervalMs: SWEEP_INTERVAL_MS, now, logger }));
    return {
      port: server.port,
      async stop() {
        await stopAll(started);
        store.close();
      },
    };
  } catch (err) {
    await stopAll(started);
    store.close();
    throw err;
  }
}

async function stopAll(started: Running[]): Promise<void> {
  for (const r of started.reverse()) await r.stop();
}
