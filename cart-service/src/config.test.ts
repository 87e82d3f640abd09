import { ConfigError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { loadCartConfig } from "./config.js";

describe("loadCartConfig", () => {
  it("has defaults for embedded mode", () => {
    expect(loadCartConfig({})).toEqual({
      port: 50052,
      adminPort: 9452,
      databasePath: ".data/cart.db",
      mongodb: undefined,
      redisUrl: undefined,
      productUrl: "http://127.0.0.1:50051",
      cacheTtlMs: 900_000,
      cacheJitterMs: 300_000,
      idleMs: 90 * 86_400_000,
      kafkaBrokers: undefined,
      consumerDelayMs: 0,
      // Off unless told: a service started as its own process is told on (runProcess).
      credentials: { required: false },
      storeCurrency: "USD",
      logLevel: "info",
    });
  });

  it("serves health and metrics on any free port when the RPC port is, unless told otherwise", () => {
    expect(loadCartConfig({ CART_PORT: "0" }).adminPort).toBe(0);
    expect(loadCartConfig({ CART_PORT: "0", CART_ADMIN_PORT: "9999" }).adminPort).toBe(9999);
    expect(loadCartConfig({ CART_ADMIN_PORT: "0" })).toMatchObject({ port: 50052, adminPort: 0 });
    expect(() => loadCartConfig({ CART_ADMIN_PORT: "70000" })).toThrow("CART_ADMIN_PORT");
  });

  it("reads every setting", () => {
    const config = loadCartConfig({
      CART_PORT: "0",
      CART_DATABASE_PATH: "/tmp/c.db",
      MONGODB_URI: "mongodb://cart:secret@m1:27017,m2:27017/shop?replicaSet=rs0",
      REDIS_URL: "redis://redis:6379/2",
      PRODUCT_URL: "http://product:9000",
      CART_CACHE_TTL_SECONDS: "0",
      CART_IDLE_DAYS: "7",
      KAFKA_BROKERS: "k1:9092, k2:9092",
      CART_CONSUMER_DELAY_MS: "1500",
      RPC_CREDENTIALS: "on",
      RPC_SIGNING_KEY_FILE: "/keys/cart-service.key.pem",
      RPC_TRUST_BUNDLE_FILE: "/keys/trust-bundle.jwks.json",
      LOG_LEVEL: "debug",
    });
    expect(config).toMatchObject({
      port: 0,
      databasePath: "/tmp/c.db",
      mongodb: { uri: "mongodb://cart:secret@m1:27017,m2:27017/shop?replicaSet=rs0", database: "shop" },
      redisUrl: "redis://redis:6379/2",
      productUrl: "http://product:9000",
      cacheTtlMs: 0,
      idleMs: 7 * 86_400_000,
      kafkaBrokers: "k1:9092, k2:9092",
      consumerDelayMs: 1500,
      credentials: {
        required: true,
        signingKeyFile: "/keys/cart-service.key.pem",
        trustBundleFile: "/keys/trust-bundle.jwks.json",
      },
      logLevel: "debug",
    });
  });

  it.each([
    ["mongodb://127.0.0.1:27017", "cart"],
    ["mongodb://127.0.0.1:27017/", "cart"],
    ["mongodb+srv://cluster.example.net/carts%2Dv2?retryWrites=true", "carts-v2"],
  ])("takes the database from the path of MONGODB_URI=%s", (uri, database) => {
    expect(loadCartConfig({ MONGODB_URI: uri }).mongodb).toEqual({ uri, database });
  });

  it("does not quote a refused connection string, which may hold a password", () => {
    expect(() => loadCartConfig({ REDIS_URL: "http://:hunter2@redis:6379" })).toThrow(/^((?!hunter2).)*$/);
    expect(() => loadCartConfig({ MONGODB_URI: "postgres://u:hunter2@h/db" })).toThrow(/^((?!hunter2).)*$/);
  });

  it.each([
    ["CART_PORT", "70000"],
    ["CART_CACHE_TTL_SECONDS", "-1"],
    ["CART_IDLE_DAYS", "0"],
    ["CART_CONSUMER_DELAY_MS", "-1"],
    ["CART_CONSUMER_DELAY_MS", "1.5"],
    ["CART_CONSUMER_DELAY_MS", "60001"],
    ["PRODUCT_URL", "product:50051"],
    ["MONGODB_URI", "postgres://db/cart"],
    ["MONGODB_URI", "mongodb://db/a.b"],
    ["MONGODB_URI", "mongodb://db/%E0%A4%A"],
    ["REDIS_URL", "127.0.0.1:6379"],
  ])("refuses %s=%s, naming it", (name, value) => {
    expect(() => loadCartConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadCartConfig({ [name]: value })).toThrow(name);
  });
});
