import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "@checkout-saga/shared/dev";
import { testLogger } from "@checkout-saga/shared/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { type RunningRedis, startRedis } from "../../scripts/provision/servers.js";
import { describeCartCacheContract } from "../src/cache/cart-cache.contract.js";
import { cartToJson } from "../src/cache/cart-json.js";
import { openRedisCartCache, type RedisCartCacheOptions } from "../src/cache/redis-cart-cache.js";
import type { Cart } from "../src/domain/cart.js";
import { createCarts } from "../src/domain/carts.js";
import type { CartStore } from "../src/store/cart-store.js";
import { openSqliteCartStore } from "../src/store/sqlite-cart-store.js";

const logger = testLogger("redis-cart-cache-test");

let dir: string;
let redis: RunningRedis;
let inspector: Redis;

// Long timeout: the first run on a machine installs redis-server.
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "cart-redis-"));
  redis = await startRedis({ port: await freePort(), dataDir: dir });
  inspector = new Redis(redis.url);
}, 600_000);

afterAll(async () => {
  await inspector?.quit();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A cache closed when the test ends. */
async function openCache(overrides: Partial<RedisCartCacheOptions> = {}) {
  const cache = await openRedisCartCache({ url: redis.url, ttlMs: 60_000, jitterMs: 1_000, logger, ...overrides });
  onTestFinished(() => cache.close());
  return cache;
}

const cart = (userId: string, quantity: number): Cart => ({
  userId,
  currency: "USD",
  items: [{ productId: "1", quantity, addedAt: new Date("2026-01-01T00:00:00.000Z") }],
  claims: [],
  updatedAt: new Date("2026-01-01T00:00:00.000Z"),
});

describeCartCacheContract("Redis", async () => {
  const cache = await openRedisCartCache({ url: redis.url, ttlMs: 60_000, jitterMs: 1_000, logger });
  return { cache, cleanup: () => cache.close() };
});

describe("Redis cart cache", () => {
  it("stores entries and invalidation markers under cart:<userId> with the TTL plus the drawn jitter", async () => {
    const cache = await openCache({ ttlMs: 900_000, jitterMs: 300_000, random: () => 0.5 });
    await cache.set("ttl-user", cart("ttl-user", 1), 1);
    const entryTtl = await inspector.pttl("cart:ttl-user");
    expect(entryTtl).toBeGreaterThan(900_000);
    expect(entryTtl).toBeLessThanOrEqual(1_050_000);
    await cache.invalidate("ttl-user", 2);
    expect(await inspector.hgetall("cart:ttl-user")).toEqual({ version: "2" });
    expect(await inspector.pttl("cart:ttl-user")).toBeGreaterThan(900_000);
  });

  it("reads an entry cached before carts had claims as a cart without claims", async () => {
    const cache = await openCache();
    const { claims: _, ...before } = JSON.parse(cartToJson(cart("pre-claims-user", 2))) as Record<string, unknown>;
    await inspector.hset("cart:pre-claims-user", { version: "1", cart: JSON.stringify(before) });
    onTestFinished(async () => void (await inspector.del("cart:pre-claims-user")));
    expect(await cache.get("pre-claims-user")).toEqual(cart("pre-claims-user", 2));
  });

  it("keeps a read that a write on another instance overtook out of the cache", async () => {
    const storeDir = await mkdtemp(path.join(os.tmpdir(), "cart-redis-store-"));
    const store = openSqliteCartStore(path.join(storeDir, "cart.db"));
    onTestFinished(async () => {
      store.close();
      await rm(storeDir, { recursive: true, force: true });
    });
    // Instance A's next store load answers only when released, like a slow read.
    let releaseLoad = () => {};
    let gateNextLoad = false;
    const gatedStore: CartStore = {
      ...store,
      async load(userId) {
        const loaded = await store.load(userId);
        if (gateNextLoad) {
          gateNextLoad = false;
          await new Promise<void>((resolve) => {
            releaseLoad = resolve;
          });
        }
        return loaded;
      },
    };
    const products = { check: async () => ({ missing: [], unpriced: [], unsellable: [] }) };
    const now = () => new Date();
    const instanceA = createCarts({
      store: gatedStore,
      cache: await openCache(),
      products,
      now,
      logger,
      storeCurrency: "USD",
    });
    const instanceB = createCarts({ store, cache: await openCache(), products, now, logger, storeCurrency: "USD" });

    await instanceB.addItem("shared-user", "1", 1);
    gateNextLoad = true;
    const slowRead = instanceA.getCart("shared-user");
    await vi.waitFor(() => expect(gateNextLoad).toBe(false));
    await instanceB.addItem("shared-user", "1", 1);
    releaseLoad();

    expect((await slowRead).items[0]?.quantity).toBe(1);
    expect((await instanceA.getCart("shared-user")).items[0]?.quantity).toBe(2);
    expect((await instanceB.getCart("shared-user")).items[0]?.quantity).toBe(2);
  });

  it("fails fast while Redis is unreachable and replays missed invalidations once it is back", async () => {
    const link = await openLink(redis.port);
    onTestFinished(() => link.cut());
    const cache = await openCache({ url: `redis://127.0.0.1:${link.port}` });
    await cache.set("cut-off-user", cart("cut-off-user", 1), 1);

    await link.cut();
    await expect(cache.get("cut-off-user")).rejects.toThrow();
    // The write of version 2 happened in the store; Redis, unreachable, still holds version 1.
    await expect(cache.invalidate("cut-off-user", 2)).rejects.toThrow();
    await expect(cache.set("cut-off-user", cart("cut-off-user", 2), 2)).rejects.toThrow();

    await link.restore();
    await vi.waitFor(async () => expect(await inspector.hgetall("cart:cut-off-user")).toEqual({ version: "2" }), {
      timeout: 10_000,
      interval: 100,
    });
    expect(await cache.get("cut-off-user")).toBeUndefined();
    await cache.set("cut-off-user", cart("cut-off-user", 2), 2);
    expect(await cache.get("cut-off-user")).toEqual(cart("cut-off-user", 2));
  });

  it("opens without Redis and answers every call with an error instead of waiting", async () => {
    const cache = await openCache({ url: `redis://127.0.0.1:${await freePort()}` });
    await expect(cache.get("nobody")).rejects.toThrow();
    await expect(cache.set("nobody", cart("nobody", 1), 1)).rejects.toThrow();
    await expect(cache.invalidate("nobody", 1)).rejects.toThrow();
  });
});

/**
 * A TCP link to Redis that can be cut and restored on the same port: Redis stays up with its
 * data, as in a network partition, while the client loses it.
 */
async function openLink(targetPort: number) {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const restore = async () => {
    server = net.createServer((client) => {
      const upstream = net.connect(targetPort, "127.0.0.1");
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on("error", () => {});
        s.on("close", () => {
          sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server?.listen(port, "127.0.0.1", resolve));
  };
  const cut = async () => {
    const closing = server;
    server = undefined;
    for (const s of sockets) s.destroy();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  await restore();
  return { port, cut, restore };
}
