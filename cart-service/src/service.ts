import { type EventSubscriber, type Logger, type Running, startRpcServer } from "@checkout-saga/shared";
import type { CartCache } from "./cache/cart-cache.js";
import { createMemoryCartCache } from "./cache/memory-cart-cache.js";
import { openRedisCartCache } from "./cache/redis-cart-cache.js";
import { createProductCatalogClient } from "./clients/product-catalog-client.js";
import type { CartConfig } from "./config.js";
import { createCarts } from "./domain/carts.js";
import { subscribeToCheckoutEvents } from "./events/checkout-events-consumer.js";
import { cartRoutes } from "./rpc/cart-routes.js";
import type { CartStore } from "./store/cart-store.js";
import { openMongoCartStore } from "./store/mongo-cart-store.js";
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
 * Carts in MongoDB (MONGODB_URI) or a SQLite file, behind Redis (REDIS_URL) or an in-process
 * cache, served over RPC, trimmed by CheckoutCompleted events and swept when idle. `stop`
 * undoes the start in reverse order.
 */
export async function startCartService(
  config: CartConfig,
  logger: Logger,
  deps: CartServiceDeps,
): Promise<CartService> {
  const now = () => new Date();
  const started: Running[] = [];
  try {
    const store = await openCartStore(config, logger);
    started.push({ stop: async () => store.close() });
    const cache = await openCartCache(config, logger);
    started.push({ stop: () => cache.close() });
    const products = createProductCatalogClient(config.productUrl);
    const carts = createCarts({ store, cache, products, now, logger });
    const server = await startRpcServer({ port: config.port, routes: cartRoutes(carts), logger });
    started.push({ stop: () => server.close() });
    const subscription = await subscribeToCheckoutEvents({ events: deps.events, carts, logger });
    started.push({ stop: () => subscription.close() });
    started.push(startIdleCartSweeper({ store, idleMs: config.idleMs, intervalMs: SWEEP_INTERVAL_MS, now, logger }));
    return { port: server.port, stop: () => stopAll(started) };
  } catch (err) {
    await stopAll(started);
    throw err;
  }
}

/** MongoDB when configured (production), else the SQLite file (embedded mode). */
async function openCartStore(
  config: CartConfig,
  logger: Logger,
): Promise<CartStore & { close(): void | Promise<void> }> {
  if (config.mongodb) return openMongoCartStore({ ...config.mongodb, logger });
  return openSqliteCartStore(config.databasePath);
}

/**
 * Redis when configured, shared by every instance; else a cache in this process. A TTL of 0
 * turns caching off, and then Redis is not needed at all.
 */
async function openCartCache(config: CartConfig, logger: Logger): Promise<CartCache & { close(): Promise<void> }> {
  const ttl = { ttlMs: config.cacheTtlMs, jitterMs: config.cacheJitterMs };
  if (config.redisUrl && config.cacheTtlMs > 0) return openRedisCartCache({ url: config.redisUrl, ...ttl, logger });
  return { ...createMemoryCartCache(ttl), close: async () => {} };
}

async function stopAll(started: Running[]): Promise<void> {
  for (const r of [...started].reverse()) await r.stop();
}
