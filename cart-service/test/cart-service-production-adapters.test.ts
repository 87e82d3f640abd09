import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadProductConfig, startProductService } from "@checkout-saga/product-service";
import { createInProcessEventBus, createServiceClient, createServiceTransport } from "@checkout-saga/shared";
import { freePort } from "@checkout-saga/shared/dev";
import { type Cart, CartService } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import { testLogger } from "@checkout-saga/shared/testing";
import { Redis } from "ioredis";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningFerretDb, type RunningRedis, startFerretDb, startRedis } from "../../scripts/provision/servers.js";
import { type CartConfig, loadCartConfig, startCartService } from "../src/index.js";

const logger = testLogger("cart-service-production-test");

let dir: string;
let ferretDb: RunningFerretDb;
let redis: RunningRedis;
let product: { port: number; stop(): Promise<void> };
let cartConfig: CartConfig;
let cart: { port: number; stop(): Promise<void> } | undefined;
let client: ReturnType<typeof connect>;

function connect(port: number) {
  return createServiceClient(CartService, createServiceTransport(`http://127.0.0.1:${port}`));
}

async function startCart(): Promise<void> {
  cart = await startCartService(cartConfig, logger, { events: createInProcessEventBus({ logger }) });
  client = connect(cart.port);
}

// Long timeout: the first run on a machine builds FerretDB and installs redis-server.
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "cart-service-production-"));
  [ferretDb, redis] = await Promise.all([
    freePort().then((port) => startFerretDb({ port, dataDir: path.join(dir, "ferretdb") })),
    freePort().then((port) => startRedis({ port, dataDir: path.join(dir, "redis") })),
  ]);
  product = await startProductService(
    loadProductConfig({ PRODUCT_PORT: "0", PRODUCT_DATABASE_PATH: path.join(dir, "product.db") }),
    logger,
  );
  cartConfig = loadCartConfig({
    CART_PORT: "0",
    MONGODB_URI: `${ferretDb.uri}cart_service_test`,
    REDIS_URL: redis.url,
    PRODUCT_URL: `http://127.0.0.1:${product.port}`,
    // Unused: carts live in MongoDB.
    CART_DATABASE_PATH: path.join(dir, "must-not-exist", "cart.db"),
  });
  await startCart();
}, 600_000);

afterAll(async () => {
  await cart?.stop();
  await product?.stop();
  await redis?.stop();
  await ferretDb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const quantities = (c: Cart | undefined) => c?.items.map((i) => [i.productId, i.quantity]);

describe("cart service on MongoDB and Redis", () => {
  it("keeps carts in MongoDB and caches reads in Redis", async () => {
    await client.addItem({ userId: "mia", productId: "1", quantity: 2 });
    expect(quantities((await client.getCart({ userId: "mia" })).cart)).toEqual([["1", 2]]);

    expect(existsSync(path.dirname(cartConfig.databasePath))).toBe(false);
    const mongo = new MongoClient(ferretDb.uri);
    const inspector = new Redis(redis.url);
    try {
      const head = await mongo.db("cart_service_test").collection<{ _id: string }>("carts").findOne({ _id: "mia" });
      expect(head).toMatchObject({ version: 1, items: [{ productId: "1", quantity: 2 }] });
      expect(await inspector.hget("cart:mia", "version")).toBe("1");
      expect(JSON.parse((await inspector.hget("cart:mia", "cart")) ?? "null")).toMatchObject({ userId: "mia" });
    } finally {
      await mongo.close();
      await inspector.quit();
    }
  });

  it("keeps claims in MongoDB and shows held ones through the Redis cache, one winner of a race", async () => {
    await client.addItem({ userId: "olga", productId: "1", quantity: 1 });
    await client.getCart({ userId: "olga" }); // cached in Redis before the claims
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        client.claimCartLines({ userId: "olga", checkoutId: `co-${i}`, lines: [{ productId: "1", quantity: 1 }] }),
      ),
    );
    const won = results.flatMap((r) => (r.status === "fulfilled" && r.value.claim ? [r.value.claim.checkoutId] : []));
    expect(won).toHaveLength(1);
    expect((await client.getCart({ userId: "olga" })).cart?.claims.map((c) => c.checkoutId)).toEqual(won);
    const inspector = new Redis(redis.url);
    try {
      expect(JSON.parse((await inspector.hget("cart:olga", "cart")) ?? "null")).toMatchObject({
        claims: [{ checkoutId: won[0], state: "held" }],
      });
    } finally {
      await inspector.quit();
    }

    await client.releaseCartClaim({ userId: "olga", checkoutId: won[0] ?? "" });
    expect((await client.getCart({ userId: "olga" })).cart?.claims).toEqual([]);
  });
});

describe("when Redis stops", () => {
  it("keeps answering GetCart and AddItem from the store", async () => {
    await client.addItem({ userId: "noah", productId: "1", quantity: 1 });
    await client.getCart({ userId: "noah" }); // cached in Redis

    await redis.stop();

    expect(quantities((await client.getCart({ userId: "noah" })).cart)).toEqual([["1", 1]]);
    expect(quantities((await client.addItem({ userId: "noah", productId: "2", quantity: 3 })).cart)).toEqual([
      ["1", 1],
      ["2", 3],
    ]);
    expect(quantities((await client.getCart({ userId: "noah" })).cart)).toEqual([
      ["1", 1],
      ["2", 3],
    ]);
    expect(quantities((await client.removeItem({ userId: "noah", productId: "1" })).cart)).toEqual([["2", 3]]);
    expect(quantities((await client.getCart({ userId: "noah" })).cart)).toEqual([["2", 3]]);
  });

  it("starts without it and serves carts kept in MongoDB", async () => {
    await cart?.stop();
    await startCart();
    expect(quantities((await client.getCart({ userId: "noah" })).cart)).toEqual([["2", 3]]);
    expect(quantities((await client.addItem({ userId: "mia", productId: "3", quantity: 1 })).cart)).toEqual([
      ["1", 2],
      ["3", 1],
    ]);
  });
});
