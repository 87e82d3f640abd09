import { ConfigError, DEV_PAYMENT_WEBHOOK_SECRET } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { DEV_JWT_SECRET, loadGatewayConfig } from "./config.js";

/** The two secrets production mode requires. */
const SECRETS = { JWT_SECRET: "a-long-enough-secret", PAYMENT_WEBHOOK_SECRET: DEV_PAYMENT_WEBHOOK_SECRET };

describe("loadGatewayConfig", () => {
  it("needs JWT_SECRET unless dev tokens are on", () => {
    expect(() => loadGatewayConfig({})).toThrow(ConfigError);
    expect(() => loadGatewayConfig({})).toThrow(/JWT_SECRET/);
    const dev = loadGatewayConfig({ AUTH_DEV_TOKENS: "true" });
    expect(dev.jwtSecret).toBe(DEV_JWT_SECRET);
    expect(dev.usesDevJwtSecret).toBe(true);
  });

  it("needs PAYMENT_WEBHOOK_SECRET unless dev tokens are on, and holds it to the Standard Webhooks form", () => {
    expect(() => loadGatewayConfig({ JWT_SECRET: "a-long-enough-secret" })).toThrow(/PAYMENT_WEBHOOK_SECRET/);
    const dev = loadGatewayConfig({ AUTH_DEV_TOKENS: "true" });
    expect(dev).toMatchObject({
      paymentWebhookSecret: DEV_PAYMENT_WEBHOOK_SECRET,
      usesDevPaymentWebhookSecret: true,
    });
    expect(() =>
      loadGatewayConfig({ JWT_SECRET: "a-long-enough-secret", PAYMENT_WEBHOOK_SECRET: "not-a-whsec" }),
    ).toThrow(/PAYMENT_WEBHOOK_SECRET must be whsec_/);
  });

  it("has the contract's defaults", () => {
    const c = loadGatewayConfig({ ...SECRETS });
    expect(c).toMatchObject({
      port: 8080,
      devTokens: false,
      usesDevJwtSecret: false,
      rateLimitPerMinute: 600,
      redisUrl: undefined,
      jwks: undefined,
      corsAllowedOrigins: [],
      requestTimeoutMs: 10_000,
      checkoutTimeoutMs: 65_000,
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

  it("reads auth, rate-limit store, deadlines and CORS", () => {
    const c = loadGatewayConfig({
      PAYMENT_WEBHOOK_SECRET: SECRETS.PAYMENT_WEBHOOK_SECRET,
      JWT_JWKS_URL: "https://id.example.com/.well-known/jwks.json",
      JWT_ISSUER: "https://id.example.com/",
      JWT_AUDIENCE: "checkout-saga",
      REDIS_URL: "redis://redis:6379",
      GATEWAY_REQUEST_TIMEOUT_MS: "5000",
      GATEWAY_CHECKOUT_TIMEOUT_MS: "30000",
      CORS_ALLOWED_ORIGINS: "https://shop.example.com, https://admin.example.com",
    });
    expect(c.jwtSecret).toBeUndefined();
    expect(c.jwks).toEqual({
      url: "https://id.example.com/.well-known/jwks.json",
      issuer: "https://id.example.com/",
      audience: "checkout-saga",
    });
    expect(c.redisUrl).toBe("redis://redis:6379");
    expect([c.requestTimeoutMs, c.checkoutTimeoutMs]).toEqual([5000, 30000]);
    expect(c.corsAllowedOrigins).toEqual(["https://shop.example.com", "https://admin.example.com"]);
    expect(() => loadGatewayConfig({ ...SECRETS, JWT_JWKS_URL: "id.example.com" })).toThrow(/JWT_JWKS_URL/);
    expect(() => loadGatewayConfig({ ...SECRETS, REDIS_URL: "localhost" })).toThrow(/REDIS_URL/);
    expect(() => loadGatewayConfig({ ...SECRETS, CORS_ALLOWED_ORIGINS: "shop" })).toThrow(/CORS_ALLOWED_ORIGINS/);
  });

  it("names a bad setting", () => {
    const base = SECRETS;
    expect(() => loadGatewayConfig({ ...base, RATE_LIMIT_PER_MINUTE: "-1" })).toThrow(/RATE_LIMIT_PER_MINUTE/);
    expect(() => loadGatewayConfig({ ...base, GATEWAY_PORT: "http" })).toThrow(/GATEWAY_PORT/);
    expect(() => loadGatewayConfig({ ...base, CART_URL: "cart:50052" })).toThrow(/CART_URL/);
    expect(() => loadGatewayConfig({ ...SECRETS, JWT_SECRET: "short" })).toThrow(/at least 16/);
  });
});
