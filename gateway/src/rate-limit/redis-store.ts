import type { Logger } from "@checkout-saga/shared";
import type { Redis } from "ioredis";
import { decide, type RateLimitDecision, type RateLimitStore } from "./store.js";

/**
 * One atomic step of a token bucket kept in a Redis hash {tokens, ts}: refill by elapsed time,
 * take a token when there is one, and expire the key once it would be full anyway. The clock is
 * Redis's own (TIME), so gateway instances with skewed clocks share one notion of time.
 * Returns the tokens held before this request (as a string: Lua numbers lose fractions in
 * replies) and whether one was taken.
 */
const TAKE_SCRIPT = `
local limit = tonumber(ARGV[1])
local per_ms = limit / 60000
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = limit
else
  tokens = math.min(limit, tokens + math.max(0, now - ts) * per_ms)
end
local before = tokens
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((limit - tokens) / per_ms) + 1000)
return { tostring(before), taken }
`;

export interface RedisRateLimitStoreOptions {
  redis: Redis;
  logger: Logger;
  /** Prefix of every bucket key. */
  keyPrefix?: string;
  /** At most one "failing open" warning per this many ms, so an outage does not flood the log. */
  warnEveryMs?: number;
}

/**
 * Buckets in Redis, shared by every gateway instance. When Redis cannot answer the store fails
 * OPEN: the request is allowed and a warning logged, since a rate limiter must never take the
 * shop down with it. Give the client a short command timeout and no offline queue
 * (createRateLimitRedis) so an outage costs milliseconds, not a hung request.
 */
export function createRedisRateLimitStore(options: RedisRateLimitStoreOptions): RateLimitStore {
  const { redis, logger } = options;
  const prefix = options.keyPrefix ?? "gateway:ratelimit:";
  const warnEveryMs = options.warnEveryMs ?? 10_000;
  let lastWarning = Number.NEGATIVE_INFINITY;
  redis.defineCommand("gatewayTakeToken", { numberOfKeys: 1, lua: TAKE_SCRIPT });
  const take = (
    redis as unknown as { gatewayTakeToken(key: string, limit: number): Promise<[string, number]> }
  ).gatewayTakeToken.bind(redis);

  return {
    async take(key, limitPerMinute): Promise<RateLimitDecision> {
      try {
        const [before] = await take(`${prefix}${key}`, limitPerMinute);
        return decide(Number(before), limitPerMinute);
      } catch (err) {
        const now = Date.now();
        if (now - lastWarning >= warnEveryMs) {
          lastWarning = now;
          logger.warn({ err }, "rate-limit store unavailable: failing open (requests are not limited)");
        }
        return { allowed: true, remaining: limitPerMinute, resetSeconds: 0, retryAfterSeconds: 0, failedOpen: true };
      }
    },
  };
}
