import type { Logger } from "@checkout-saga/shared";
import { Redis } from "ioredis";
import type { CartCache } from "./cart-cache.js";
import { cartFromJson, cartToJson } from "./cart-json.js";

export interface RedisCartCacheOptions {
  url: string;
  /** Base lifetime of an entry (and of an invalidation marker); must be positive. */
  ttlMs: number;
  /** Up to this much extra lifetime, drawn per write, so entries written together expire apart. */
  jitterMs?: number;
  logger: Logger;
  random?: () => number;
}

export interface RedisCartCache extends CartCache {
  /** Resolves when Redis answers PING (readiness); rejects at once while it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Invalidations remembered while Redis is unreachable; past this many, every cart entry is dropped once it is back. */
const MISSED_KEPT = 10_000;
const KEY_PREFIX = "cart:";

// A user's entry is a hash at cart:<userId>: `version`, and `cart` (JSON) unless the entry is
// the marker an invalidation leaves. Why not DEL on a write: a DEL leaves nothing to compare
// with, so a load of the old version that finishes after the write (on another instance) would
// put the old cart back for a whole TTL. The marker remembers the written version for as long
// as an entry could live, sets of older versions are refused, and neither script ever lowers
// the version. Each script runs atomically in Redis.
const SET_UNLESS_NEWER = `
local known = tonumber(redis.call('HGET', KEYS[1], 'version'))
if known and known > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'cart', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

const INVALIDATE = `
local known = tonumber(redis.call('HGET', KEYS[1], 'version'))
local version = tonumber(ARGV[1])
if known and known > version then version = known end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'version', version)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * The production cache, shared by every cart-service instance. Resolves once connected, or
 * once the first attempt failed: an unreachable Redis never stops the service. While Redis is
 * unreachable every call fails at once (nothing waits for a reconnect), so the domain goes to
 * the store; the connection comes back in the background. Invalidations that failed meanwhile
 * are replayed when it does, and until then this instance does not trust Redis for those users.
 */
export async function openRedisCartCache(options: RedisCartCacheOptions): Promise<RedisCartCache> {
  const { ttlMs, jitterMs = 0, logger, random = Math.random } = options;
  if (!(ttlMs > 0)) throw new RangeError(`the Redis cart cache needs a positive TTL, got ${ttlMs} ms`);
  const redis = new Redis(options.url, {
    lazyConnect: true,
    // While disconnected, fail commands instead of queueing them until Redis is back.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    // A Redis that accepts connections but does not answer must not hold requests either.
    commandTimeout: 500,
    // Reconnect forever, in the background, at most 2 s apart.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  /** Users whose invalidation Redis missed, with the version written. */
  const missed = new Map<string, number>();
  /** Set when too many were missed to remember: every cart entry is suspect. */
  let dropAllOnReturn = false;
  let catchingUp = false;
  /** Whether the outage was logged; reset once connected. */
  let unreachable = false;
  let closing = false;

  const key = (userId: string) => `${KEY_PREFIX}${userId}`;
  const lifetime = () => ttlMs + Math.floor(random() * jitterMs);
  const invalidate = (userId: string, version: number) => redis.eval(INVALIDATE, 1, key(userId), version, lifetime());

  async function replay(userId: string, version: number): Promise<void> {
    await invalidate(userId, version);
    if (missed.get(userId) === version) missed.delete(userId);
  }

  /** Replays what was missed, once at a time, in the background. */
  function catchUp(): void {
    if (catchingUp) return;
    catchingUp = true;
    replayMissed()
      .catch((err) => logger.warn({ err }, "replaying missed cart cache invalidations failed"))
      .finally(() => {
        catchingUp = false;
      });
  }

  async function replayMissed(): Promise<void> {
    if (dropAllOnReturn) {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${KEY_PREFIX}*`, "COUNT", 1000);
        if (keys.length > 0) await redis.unlink(...keys);
        cursor = next;
      } while (cursor !== "0");
      dropAllOnReturn = false;
    }
    for (const [userId, version] of missed) await replay(userId, version);
  }

  const lost = (err?: Error) => {
    if (unreachable || closing) return;
    unreachable = true;
    logger.warn({ err }, "Redis cart cache unreachable; carts are read from the store until it is back");
  };
  redis.on("error", lost).on("close", () => lost());
  redis.on("ready", () => {
    if (unreachable) logger.info("Redis cart cache reachable again");
    unreachable = false;
    catchUp();
  });
  await new Promise<void>((resolve) => {
    const settled = () => {
      redis.off("ready", settled).off("error", settled);
      resolve();
    };
    redis.once("ready", settled).once("error", settled);
    // Failures surface as 'error' events, and reconnecting goes on by itself.
    redis.connect().catch(() => {});
  });

  return {
    async get(userId) {
      // An entry that may predate a write whose invalidation Redis missed is not served.
      if (dropAllOnReturn) return undefined;
      const missedVersion = missed.get(userId);
      if (missedVersion !== undefined) {
        await replay(userId, missedVersion);
        return undefined;
      }
      const json = await redis.hget(key(userId), "cart");
      // Redis answers again: a replay that failed (or a timeout without a disconnect) is retried.
      if (missed.size > 0) catchUp();
      return json === null ? undefined : cartFromJson(json);
    },

    async set(userId, cart, version) {
      await redis.eval(SET_UNLESS_NEWER, 1, key(userId), version, cartToJson(cart), lifetime());
    },

    async invalidate(userId, version) {
      try {
        await invalidate(userId, version);
      } catch (err) {
        missed.set(userId, Math.max(version, missed.get(userId) ?? 0));
        if (missed.size > MISSED_KEPT) {
          missed.clear();
          dropAllOnReturn = true;
        }
        throw err;
      }
    },

    async ping() {
      await redis.ping();
    },

    async close() {
      closing = true;
      if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
