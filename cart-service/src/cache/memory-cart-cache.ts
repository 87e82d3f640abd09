import type { Cart } from "../domain/cart.js";
import type { CartCache } from "./cart-cache.js";

export interface MemoryCartCacheOptions {
  /** Base lifetime of an entry; 0 or less turns the cache off (nothing is kept). */
  ttlMs: number;
  /** Up to this much extra lifetime, drawn per `set`, so entries written together expire apart. */
  jitterMs?: number;
  /** Least recently used entries go first beyond this many (default 10 000). */
  maxEntries?: number;
  now?: () => number;
  random?: () => number;
}

/** The embedded-mode cache: per process, bounded, least recently used evicted first. */
export function createMemoryCartCache(options: MemoryCartCacheOptions): CartCache {
  const { ttlMs, jitterMs = 0, maxEntries = 10_000, now = Date.now, random = Math.random } = options;
  // A Map iterates in insertion order; re-inserting on every hit keeps the coldest entry first.
  const entries = new Map<string, { cart: Cart; expiresAt: number }>();

  return {
    async get(userId) {
      const entry = entries.get(userId);
      if (!entry) return undefined;
      entries.delete(userId);
      if (entry.expiresAt <= now()) return undefined;
      entries.set(userId, entry);
      return structuredClone(entry.cart);
    },
    async set(userId, cart) {
      if (ttlMs <= 0) return;
      entries.delete(userId);
      entries.set(userId, { cart: structuredClone(cart), expiresAt: now() + ttlMs + Math.floor(random() * jitterMs) });
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
    },
    async delete(userId) {
      entries.delete(userId);
    },
  };
}
