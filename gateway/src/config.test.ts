import { ConfigError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { DEV_JWT_SECRET, loadGatewayConfig } from "./config.js";

describe("loadGatewayConfig", () => {
  it("needs JWT_SECRET unless dev tokens are on", () => {
    expect(() => loadGatewayConfig({})).toThrow(ConfigError);
    expect(() => loadGatewayConfig({})).toThrow(/JWT_SECRET/);
    const dev = loadGatewayConfig({ AUTH_DEV_TOKENS: "true" });
    expect(dev.jwtSecret).toBe(DEV_JWT_SECRET);
    expect(dev.usesDevJwtSecret).toBe(true);
  });

  it("has the contract's defaults", () => {
    const c = loadGatewayConfig({ JWT_SECRET: "a-long-enough-secret" });
    expect(c).toMatchObject({
      port: 8080,
      devTokens: false,
      usesDevJwtSecret: false,
      rateLimitPerMinute: 600,
      requestTimeoutMs: 65_000,
      maxBodyBytes: 65_536,
      logLevel: "info",
    });
    expect(c.serviceUrls).toEqual({
      product: "http://127.0.0.1:50051",
      cart: "http://127.0.0.1:50052",
      inventory: "http://127.0.0.1:50053",
      checkout: "http://127.0.0.1:50056",
      orders: "http://127.0.0.1:50055",
    });
  });

  it("names a bad setting", () => {
    const base = { JWT_SECRET: "a-long-enough-secret" };
    expect(() => loadGatewayConfig({ ...base, RATE_LIMIT_PER_MINUTE: "-1" })).toThrow(/RATE_LIMIT_PER_MINUTE/);
    expect(() => loadGatewayConfig({ ...base, GATEWAY_PORT: "http" })).toThrow(/GATEWAY_PORT/);
    expect(() => loadGatewayConfig({ ...base, CART_URL: "cart:50052" })).toThrow(/CART_URL/);
    expect(() => loadGatewayConfig({ JWT_SECRET: "short" })).toThrow(/at least 16/);
  });
});
