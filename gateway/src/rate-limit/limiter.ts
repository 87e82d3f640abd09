import type { Logger } from "@checkout-saga/shared";
import type { Redis } from "ioredis";
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from "rate-limiter-flexible";

export interface RateLimiterOptions {
  /** The policy ("ip", "user"): part of every key, so the policies' counters never meet. */
  policy: string;
  /** Requests per key per minute (a fixed one-minute window). */
  pointsPerMinute: number;
  /** Shared by every gateway instance; counters are per instance, in memory, when undefined. */
  redis?: Redis;
  logger: Logger;
  /** At most one "Redis unavailable" warning per this many ms, so an outage does not flood the log. */
  warnEveryMs?: number;
}

/**
 * A limiter of `pointsPerMinute` requests per key and minute. With Redis, the counters are
 * shared (an atomic Lua INCR + expiry per request); while Redis cannot answer, an in-memory
 * limiter of the same size stands in (insurance), so an outage loosens the limit to one
 * allowance per instance instead of lifting it, and never fails a request. Give the client
 * no offline queue and a short command timeout (createRateLimitRedis) so that costs
 * milliseconds.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiterAbstract {
  const shape = { points: options.pointsPerMinute, duration: 60, keyPrefix: `gateway:ratelimit:${options.policy}` };
  if (!options.redis) return new RateLimiterMemory(shape);
  const { logger } = options;
  const warnEveryMs = options.warnEveryMs ?? 10_000;
  let lastWarning = Number.NEGATIVE_INFINITY;
  // The library calls the insurance silently; operators need to know the limit is per instance now.
  class LoggedInsurance extends RateLimiterMemory {
    override consume(...args: Parameters<RateLimiterMemory["consume"]>) {
      const now = Date.now();
      if (now - lastWarning >= warnEveryMs) {
        lastWarning = now;
        logger.warn({ policy: options.policy }, "rate-limit Redis unavailable: limiting per gateway instance");
      }
      return super.consume(...args);
    }
  }
  return new RateLimiterRedis({
    ...shape,
    storeClient: options.redis,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new LoggedInsurance(shape),
  });
}
