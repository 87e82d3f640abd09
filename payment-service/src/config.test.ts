import { ConfigError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { loadPaymentConfig } from "./config.js";

const url = "postgres://localhost/payments";

describe("loadPaymentConfig", () => {
  it("applies the defaults", () => {
    expect(loadPaymentConfig({ PAYMENT_DATABASE_URL: url })).toEqual({
      port: 50054,
      adminPort: 9454,
      databaseUrl: url,
      latencyMs: { min: 0, max: 0 },
      failureRate: 0,
      // Off unless told: a service started as its own process is told on (runProcess).
      credentials: { required: false },
      logLevel: "info",
    });
  });

  it("reads a latency range and a failure rate", () => {
    const config = loadPaymentConfig({
      PAYMENT_DATABASE_URL: url,
      PAYMENT_LATENCY_MS: "1000-2000",
      PAYMENT_FAILURE_RATE: "0.25",
    });
    expect(config.latencyMs).toEqual({ min: 1000, max: 2000 });
    expect(config.failureRate).toBe(0.25);
  });

  it.each([
    [{}, /PAYMENT_DATABASE_URL/],
    [{ PAYMENT_DATABASE_URL: url, PAYMENT_FAILURE_RATE: "1.5" }, /PAYMENT_FAILURE_RATE/],
    [{ PAYMENT_DATABASE_URL: url, PAYMENT_LATENCY_MS: "fast" }, /PAYMENT_LATENCY_MS/],
    [{ PAYMENT_DATABASE_URL: url, PAYMENT_PORT: "70000" }, /PAYMENT_PORT/],
  ])("refuses a bad setting %#, naming it", (env, name) => {
    expect(() => loadPaymentConfig(env)).toThrow(ConfigError);
    expect(() => loadPaymentConfig(env)).toThrow(name);
  });
});
