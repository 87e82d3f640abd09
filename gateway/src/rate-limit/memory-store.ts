import { decide, type RateLimitStore } from "./store.js";

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets in a Map, for one gateway instance. The least recently used buckets go when
 * `maxKeys` is reached, so many distinct clients cannot grow memory without bound.
 */
export function createMemoryRateLimitStore(options: { now?: () => number; maxKeys?: number } = {}): RateLimitStore {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  const buckets = new Map<string, Bucket>();
  return {
    async take(key, limitPerMinute) {
      const t = now();
      const perMs = limitPerMinute / 60_000;
      const bucket = buckets.get(key) ?? { tokens: limitPerMinute, updatedAt: t };
      bucket.tokens = Math.min(limitPerMinute, bucket.tokens + Math.max(0, t - bucket.updatedAt) * perMs);
      bucket.updatedAt = t;
      // Re-inserting keeps Map order = least recently used first.
      buckets.delete(key);
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      const decision = decide(bucket.tokens, limitPerMinute);
      if (decision.allowed) bucket.tokens -= 1;
      return decision;
    },
  };
}
