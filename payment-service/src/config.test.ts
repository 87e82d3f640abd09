import { ConfigError, DEV_PAYMENT_WEBHOOK_SECRET } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { loadPaymentConfig } from "./config.js";

const url = "postgres://localhost/payments";
/** A valid Standard Webhooks secret: whsec_ and the base64 of 32 bytes. */
const secret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
const base = { PAYMENT_DATABASE_URL: url, PAYMENT_WEBHOOK_SECRET: secret };

describe("loadPaymentConfig", () => {
  it("applies the defaults", () => {
    expect(loadPaymentConfig(base)).toEqual({
      port: 50054,
      adminPort: 9454,
      databaseUrl: url,
      latencyMs: { min: 0, max: 0 },
      failureRate: 0,
      // Off unless told: a service started as its own process is told on (runProcess).
      credentials: { required: false },
      konbini: { expiresAfterSeconds: 259_200, sweepIntervalMs: 5_000 },
      webhooks: {
        url: "http://127.0.0.1:8080/api/v1/webhooks/payments",
        secret,
        usesDevSecret: false,
        timeoutMs: 10_000,
        retry: { baseDelayMs: 1_000, maxDelayMs: 300_000, maxAttempts: 1_000, maxAgeMs: 259_200_000 },
        pollIntervalMs: 500,
      },
      points: { expirySweepIntervalMs: 60_000 },
      logLevel: "info",
    });
  });

  it("sends webhooks to the gateway on its configured port, or where PAYMENT_WEBHOOK_URL says", () => {
    expect(loadPaymentConfig({ ...base, GATEWAY_PORT: "18080" }).webhooks.url).toBe(
      "http://127.0.0.1:18080/api/v1/webhooks/payments",
    );
    expect(
      loadPaymentConfig({ ...base, GATEWAY_PORT: "18080", PAYMENT_WEBHOOK_URL: "https://shop.example/hooks" }).webhooks
        .url,
    ).toBe("https://shop.example/hooks");
  });

  it("has nowhere to send webhooks when the gateway's port is picked at start (0) and no URL is given", () => {
    expect(loadPaymentConfig({ ...base, GATEWAY_PORT: "0" }).webhooks.url).toBeUndefined();
  });

  it("falls back to the shared dev secret only in dev mode (AUTH_DEV_TOKENS=true)", () => {
    expect(loadPaymentConfig({ PAYMENT_DATABASE_URL: url, AUTH_DEV_TOKENS: "true" }).webhooks).toMatchObject({
      secret: DEV_PAYMENT_WEBHOOK_SECRET,
      usesDevSecret: true,
    });
    expect(() => loadPaymentConfig({ PAYMENT_DATABASE_URL: url })).toThrow(/PAYMENT_WEBHOOK_SECRET is required/);
  });

  it("reads konbini expiry and the webhook delivery knobs", () => {
    const config = loadPaymentConfig({
      ...base,
      KONBINI_EXPIRES_AFTER_SECONDS: "2",
      KONBINI_EXPIRY_SWEEP_INTERVAL_MS: "50",
      PAYMENT_WEBHOOK_TIMEOUT_MS: "500",
      PAYMENT_WEBHOOK_RETRY_BASE_MS: "20",
      PAYMENT_WEBHOOK_RETRY_MAX_MS: "200",
      PAYMENT_WEBHOOK_MAX_ATTEMPTS: "3",
      PAYMENT_WEBHOOK_MAX_AGE_SECONDS: "60",
      PAYMENT_WEBHOOK_POLL_INTERVAL_MS: "25",
    });
    expect(config.konbini).toEqual({ expiresAfterSeconds: 2, sweepIntervalMs: 50 });
    expect(config.webhooks).toMatchObject({
      timeoutMs: 500,
      retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 3, maxAgeMs: 60_000 },
      pollIntervalMs: 25,
    });
  });

  it("reads a latency range and a failure rate", () => {
    const config = loadPaymentConfig({
      ...base,
      PAYMENT_LATENCY_MS: "1000-2000",
      PAYMENT_FAILURE_RATE: "0.25",
    });
    expect(config.latencyMs).toEqual({ min: 1000, max: 2000 });
    expect(config.failureRate).toBe(0.25);
  });

  it.each([
    [{ PAYMENT_WEBHOOK_SECRET: secret }, /PAYMENT_DATABASE_URL/],
    [{ ...base, PAYMENT_FAILURE_RATE: "1.5" }, /PAYMENT_FAILURE_RATE/],
    [{ ...base, PAYMENT_LATENCY_MS: "fast" }, /PAYMENT_LATENCY_MS/],
    [{ ...base, PAYMENT_PORT: "70000" }, /PAYMENT_PORT/],
    [{ ...base, KONBINI_EXPIRES_AFTER_SECONDS: "0" }, /KONBINI_EXPIRES_AFTER_SECONDS/],
    [{ ...base, KONBINI_EXPIRES_AFTER_SECONDS: "5184001" }, /KONBINI_EXPIRES_AFTER_SECONDS/],
    [{ ...base, PAYMENT_WEBHOOK_URL: "gateway:8080/hooks" }, /PAYMENT_WEBHOOK_URL/],
    [{ ...base, PAYMENT_WEBHOOK_SECRET: "a-plain-password-of-some-length" }, /PAYMENT_WEBHOOK_SECRET/],
    [{ ...base, PAYMENT_WEBHOOK_SECRET: "whsec_c2hvcnQ=" }, /PAYMENT_WEBHOOK_SECRET/],
    [
      { ...base, PAYMENT_WEBHOOK_RETRY_BASE_MS: "5000", PAYMENT_WEBHOOK_RETRY_MAX_MS: "1000" },
      /PAYMENT_WEBHOOK_RETRY_MAX_MS/,
    ],
    [{ ...base, PAYMENT_WEBHOOK_MAX_ATTEMPTS: "0" }, /PAYMENT_WEBHOOK_MAX_ATTEMPTS/],
  ])("refuses a bad setting %#, naming it", (env, name) => {
    expect(() => loadPaymentConfig(env)).toThrow(ConfigError);
    expect(() => loadPaymentConfig(env)).toThrow(name);
  });
});
