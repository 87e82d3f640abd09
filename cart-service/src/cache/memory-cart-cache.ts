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

/** A cached cart, or (without `cart`) the marker an invalidation leaves. */
interface Entry {
  cart?: Cart;
  version: number;
  expiresAt: number;
}

/** The embedded-mode cache: per process, bounded, least recently used evicted first. */
export function createMemoryCartCache(options: MemoryCartCacheOptions): CartCache {
  const { ttlMs, jitterMs = 0, maxEntries = 10_000, now = Date.now, random = Math.random } = options;
  // A Map iterates in insertion order; re-inserting on every hit keeps the coldest entry first.
  const entries = new Map<string, Entry>();

  const live = (userId: string): Entry | undefined => {
    const entry = entries.get(userId);
    if (!entry) return undefined;
    entries.delete(userId);
    if (entry.expiresAt <= now()) return undefined;
    entries.set(userId, entry);
    return entry;
  };

  const put = (userId: string, entry: Omit<Entry, "expiresAt">) => {
    entries.delete(userId);
    entries.set(userId, { ...entry, expiresAt: now() + ttlMs + Math.floor(random() * jitterMs) });
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(oldest);
    }
  };

  return {
    async get(userId) {
      const cart = live(userId)?.cart;
      return cart && structuredClone(cart);
    },
    async set(userId, cart, version) {
      if (ttlMs <= 0) return;
      const known = live(userId);
      if (known && known.version > version) return;
      put(userId, { cart: structuredClone(cart), version });
    },
    async invalidate(userId, version) {
      if (ttlMs <= 0) return;
      put(userId, { version: Math.max(version, live(userId)?.version ?? 0) });
    },
  };
}
