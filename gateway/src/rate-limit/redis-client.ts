import type { Logger } from "@checkout-saga/shared";
import { Redis } from "ioredis";

/**
 * A Redis client for rate limits: commands fail fast while Redis is away (no offline queue,
 * one attempt, a short timeout) instead of piling up, since the in-memory insurance limiter
 * answers instead; the client keeps reconnecting in the background.
 */
export function createRateLimitRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  let lastWarning = Number.NEGATIVE_INFINITY;
  redis.on("error", (err) => {
    if (Date.now() - lastWarning < 10_000) return;
    lastWarning = Date.now();
    logger.warn({ err }, "rate-limit Redis connection error");
  });
  return redis;
}

/**
 * Resolves once `redis` is ready, or false after `timeoutMs`: start-up waits a moment so the
 * first requests are limited, but never refuses to start over a rate limiter.
 */
export function redisReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === "ready") return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      redis.off("ready", onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.once("ready", onReady);
  });
}
