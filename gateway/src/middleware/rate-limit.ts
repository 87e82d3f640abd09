import type { Context, MiddlewareHandler } from "hono";
import type { GatewayEnv } from "../context.js";
import { ProblemError, problem } from "../problems.js";

/** The outcome of taking one token from a bucket. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** When refused: seconds until a token is back. */
  retryAfterSeconds: number;
}

/**
 * Where buckets live. In memory for one gateway instance; a Redis store shares them across
 * instances later, behind this same interface.
 */
export interface RateLimitStore {
  take(key: string, limitPerMinute: number): Promise<RateLimitDecision>;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets in a Map: capacity = one minute's allowance (a burst may spend it at once),
 * refilled continuously. The least recently used buckets go when `maxKeys` is reached, so
 * many distinct clients cannot grow memory without bound.
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
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterSeconds: 0 };
      }
      return {
        allowed: false,
        remaining: 0,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)),
      };
    },
  };
}

export interface RateLimitOptions {
  store: RateLimitStore;
  /** Requests per minute per key; 0 turns this limiter off. */
  limitPerMinute: number;
  /** The bucket a request counts against (e.g. "ip:…", "user:…"); undefined skips limiting. */
  key: (c: Context<GatewayEnv>) => string | undefined;
}

/** Refuses a request whose bucket is empty with a 429 problem and `Retry-After`. */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<GatewayEnv> {
  return async function rateLimit(c, next) {
    const key = options.limitPerMinute > 0 ? options.key(c) : undefined;
    if (key !== undefined) {
      const decision = await options.store.take(key, options.limitPerMinute);
      if (!decision.allowed) {
        throw new ProblemError(
          problem("rate-limited", 429, `more than ${options.limitPerMinute} requests per minute; retry later`, {
            retry_after: decision.retryAfterSeconds,
          }),
          { "Retry-After": String(decision.retryAfterSeconds) },
        );
      }
    }
    await next();
  };
}
