import { ConfigError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { loadCartConfig } from "./config.js";

describe("loadCartConfig", () => {
  it("has defaults for embedded mode", () => {
    expect(loadCartConfig({})).toEqual({
      port: 50052,
      databasePath: ".data/cart.db",
      productUrl: "http://127.0.0.1:50051",
      cacheTtlMs: 900_000,
      cacheJitterMs: 300_000,
      idleMs: 90 * 86_400_000,
      kafkaBrokers: undefined,
      logLevel: "info",
    });
  });

  it("reads every setting", () => {
    const config = loadCartConfig({
      CART_PORT: "0",
      CART_DATABASE_PATH: "/tmp/c.db",
      PRODUCT_URL: "http://product:9000",
      CART_CACHE_TTL_SECONDS: "0",
      CART_IDLE_DAYS: "7",
      KAFKA_BROKERS: "k1:9092, k2:9092",
      LOG_LEVEL: "debug",
    });
    expect(config).toMatchObject({
      port: 0,
      databasePath: "/tmp/c.db",
      productUrl: "http://product:9000",
      cacheTtlMs: 0,
      idleMs: 7 * 86_400_000,
      kafkaBrokers: ["k1:9092", "k2:9092"],
      logLevel: "debug",
    });
  });

  it.each([
    ["CART_PORT", "70000"],
    ["CART_CACHE_TTL_SECONDS", "-1"],
    ["CART_IDLE_DAYS", "0"],
    ["PRODUCT_URL", "product:50051"],
  ])("refuses %s=%s, naming it", (name, value) => {
    expect(() => loadCartConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadCartConfig({ [name]: value })).toThrow(name);
  });
});
