export type { CartCache } from "./cache/cart-cache.js";
export { createMemoryCartCache, type MemoryCartCacheOptions } from "./cache/memory-cart-cache.js";
export { openRedisCartCache, type RedisCartCache, type RedisCartCacheOptions } from "./cache/redis-cart-cache.js";
export { type CartConfig, loadCartConfig } from "./config.js";
export { CART_LINE_LIMIT, type Cart, type CartClaim, type CartLine, MAX_LINE_QUANTITY } from "./domain/cart.js";
export { type CartService, type CartServiceDeps, startCartService } from "./service.js";
export type { CartStore, StoredCart } from "./store/cart-store.js";
export { type MongoCartStore, type MongoCartStoreOptions, openMongoCartStore } from "./store/mongo-cart-store.js";
export { openSqliteCartStore, type SqliteCartStore } from "./store/sqlite-cart-store.js";
