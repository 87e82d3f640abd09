import {
  type BusReadiness,
  consumerMetrics,
  createMetricsRegistry,
  createServiceClient,
  createServiceTransport,
  type EventSubscriber,
  type Logger,
  type ReadinessCheck,
  type Running,
  rpcReadiness,
  startAdminServer,
  startRpcServer,
} from "@checkout-saga/shared";
import { ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import type { CartCache } from "./cache/cart-cache.js";
import { countedCartCache } from "./cache/counted-cart-cache.js";
import { createMemoryCartCache } from "./cache/memory-cart-cache.js";
import { openRedisCartCache, type RedisCartCache } from "./cache/redis-cart-cache.js";
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
  /** Where /health and /metrics answer; undefined when the config has no admin port. */
  readonly adminPort?: number;
}

export interface CartServiceDeps {
  /** Where CheckoutCompleted and CheckoutFailed events come from (the in-process bus in embedded mode). */
  events: EventSubscriber & Partial<BusReadiness>;
}

/**
 * Carts in MongoDB (MONGODB_URI) or a SQLite file, behind Redis (REDIS_URL) or an in-process
 * cache, served over RPC (checkouts claim lines through it), trimmed by CheckoutCompleted and
 * freed by CheckoutFailed events, and swept when idle. `stop` undoes the start in reverse order.
 */
export async function startCartService(
  config: CartConfig,
  logger: Logger,
  deps: CartServiceDeps,
): Promise<CartService> {
  const now = () => new Date();
  const started: Running[] = [];
  const metrics = createMetricsRegistry("cart-service");
  try {
    const store = await openCartStore(config, logger);
    started.push({ stop: async () => store.close() });
    const cache = countedCartCache(await openCartCache(config, logger), metrics);
    started.push({ stop: () => cache.close() });
    const products = createProductCatalogClient(config.productUrl);
    const carts = createCarts({ store, cache, products, now, logger });
    const server = await startRpcServer({ port: config.port, routes: cartRoutes(carts), logger, metrics });
    started.push({ stop: () => server.close() });
    const subscription = await subscribeToCheckoutEvents({
      events: deps.events,
      carts,
      logger,
      observer: consumerMetrics(metrics),
    });
    started.push({ stop: () => subscription.close() });
    started.push(startIdleCartSweeper({ store, idleMs: config.idleMs, intervalMs: SWEEP_INTERVAL_MS, now, logger }));
    let adminPort: number | undefined;
    if (config.adminPort !== undefined) {
      const admin = await startAdminServer({
        port: config.adminPort,
        logger,
        registry: metrics,
        checks: readinessChecks(config, { store, cache, events: deps.events }),
      });
      started.push({ stop: () => admin.close() });
      adminPort = admin.port;
    }
    return { port: server.port, adminPort, stop: () => stopAll(started) };
  } catch (err) {
    await stopAll(started);
    throw err;
  }
}

/**
 * The store and the product service are needed to serve carts; Redis and the broker are
 * reported but do not decide: without Redis carts come from the store, and without the broker
 * only the trimming of checked-out lines and the CheckoutFailed release of claims wait.
 */
function readinessChecks(
  config: CartConfig,
  parts: { store: CartStore; cache: Partial<RedisCartCache>; events: Partial<BusReadiness> },
): Record<string, ReadinessCheck> {
  const product = createServiceClient(ProductService, createServiceTransport(config.productUrl));
  const checks: Record<string, ReadinessCheck> = {
    // A lookup by key: one index read on SQLite and on MongoDB alike.
    database: { critical: true, check: async () => void (await parts.store.load("readiness-probe")) },
    "product-service": rpcReadiness((o) => product.getProducts({ ids: [] }, o), { critical: true }),
  };
  const redisPing = parts.cache.ping?.bind(parts.cache);
  if (redisPing) checks.redis = { critical: false, check: redisPing };
  const kafkaReady = parts.events.ready?.bind(parts.events);
  if (kafkaReady) checks.kafka = { critical: false, check: kafkaReady };
  return checks;
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
async function openCartCache(
  config: CartConfig,
  logger: Logger,
): Promise<CartCache & { close(): Promise<void>; ping?(): Promise<void> }> {
  const ttl = { ttlMs: config.cacheTtlMs, jitterMs: config.cacheJitterMs };
  if (config.redisUrl && config.cacheTtlMs > 0) return openRedisCartCache({ url: config.redisUrl, ...ttl, logger });
  return { ...createMemoryCartCache(ttl), close: async () => {} };
}

async function stopAll(started: Running[]): Promise<void> {
  for (const r of [...started].reverse()) await r.stop();
}
