import {
  type BusReadiness,
  busReadiness,
  consumerMetrics,
  createServiceClient,
  type EventSubscriber,
  type InProcessServices,
  type Logger,
  type ReadinessCheck,
  rpcReadiness,
  type ServiceTransportFactory,
  type StartedService,
  startService,
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
import { cartCallPolicy } from "./rpc/cart-call-policy.js";
import { cartRoutes } from "./rpc/cart-routes.js";
import type { CartStore } from "./store/cart-store.js";
import { openMongoCartStore } from "./store/mongo-cart-store.js";
import { openSqliteCartStore } from "./store/sqlite-cart-store.js";
import { SWEEP_INTERVAL_MS, startIdleCartSweeper } from "./sweeper/idle-cart-sweeper.js";

export type CartService = StartedService;

export interface CartServiceDeps {
  /** Where CheckoutCompleted and CheckoutFailed events come from (the in-process bus in embedded mode). */
  events: EventSubscriber & Partial<BusReadiness>;
  /** Embedded mode: where services in this process call each other without the network. */
  inProcess?: InProcessServices;
}

/**
 * Carts in MongoDB (MONGODB_URI) or a SQLite file, behind Redis (REDIS_URL) or an in-process
 * cache, served over RPC (checkouts claim lines through it), trimmed by CheckoutCompleted and
 * freed by CheckoutFailed events, and swept when idle. `stop` closes the servers, then the
 * consumer and the sweeper, then the cache and the store.
 */
export function startCartService(config: CartConfig, logger: Logger, deps: CartServiceDeps): Promise<CartService> {
  return startService({
    inProcess: deps.inProcess,
    name: "cart-service",
    logger,
    port: config.port,
    adminPort: config.adminPort,
    credentials: config.credentials,
    async compose(scope) {
      const now = () => new Date();
      const store = scope.resource(await openCartStore(config, logger), (s) => s.close());
      const cache = scope.resource(countedCartCache(await openCartCache(config, logger), scope.metrics), (c) =>
        c.close(),
      );
      const products = createProductCatalogClient(scope.transport(config.productUrl));
      const carts = createCarts({ store, cache, products, now, logger, storeCurrency: config.storeCurrency });
      const subscription = await subscribeToCheckoutEvents({
        events: deps.events,
        carts,
        logger,
        observer: consumerMetrics(scope.metrics),
        delayMs: config.consumerDelayMs,
      });
      scope.background(() => subscription.close());
      scope.periodic(() =>
        startIdleCartSweeper({ store, idleMs: config.idleMs, intervalMs: SWEEP_INTERVAL_MS, now, logger }),
      );
      return {
        routes: cartRoutes(carts),
        callPolicy: cartCallPolicy,
        checks: readinessChecks(config, scope.transport, { store, cache, events: deps.events }),
      };
    },
  });
}

/**
 * The store and the product service are needed to serve carts; Redis and the broker are
 * reported but do not decide: without Redis carts come from the store, and without the broker
 * only the trimming of checked-out lines and the CheckoutFailed release of claims wait.
 */
function readinessChecks(
  config: CartConfig,
  transport: ServiceTransportFactory,
  parts: { store: CartStore; cache: Partial<RedisCartCache>; events: Partial<BusReadiness> },
): Record<string, ReadinessCheck> {
  const product = createServiceClient(ProductService, transport(config.productUrl));
  const checks: Record<string, ReadinessCheck> = {
    // A lookup by key: one index read on SQLite and on MongoDB alike.
    database: { critical: true, check: async () => void (await parts.store.load("readiness-probe")) },
    "product-service": rpcReadiness((o) => product.getProducts({ ids: [] }, o), { critical: true }),
  };
  const redisPing = parts.cache.ping?.bind(parts.cache);
  if (redisPing) checks.redis = { critical: false, check: redisPing };
  return { ...checks, ...busReadiness(parts.events) };
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
