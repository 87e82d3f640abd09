import { ConfigError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { loadCheckoutConfig } from "./config.js";

const base = { CHECKOUT_DATABASE_URL: "postgres://localhost/checkout" };

describe("checkout config", () => {
  it("has circuit breakers on and no crash hook by default", () => {
    const config = loadCheckoutConfig(base);
    expect([config.breakerFailures, config.breakerCooldownMs, config.crashAt]).toEqual([5, 10_000, undefined]);
  });

  it("reads CHECKOUT_CRASH_AT as one of the saga's crash points", () => {
    expect(loadCheckoutConfig({ ...base, CHECKOUT_CRASH_AT: "during-charge" }).crashAt).toBe("during-charge");
    expect(loadCheckoutConfig({ ...base, CHECKOUT_CRASH_AT: "" }).crashAt).toBeUndefined();
  });

  it("refuses an unknown crash point, naming the valid ones", () => {
    expect(() => loadCheckoutConfig({ ...base, CHECKOUT_CRASH_AT: "before-lunch" })).toThrow(ConfigError);
    expect(() => loadCheckoutConfig({ ...base, CHECKOUT_CRASH_AT: "before-lunch" })).toThrow(
      /after-reserve, during-charge/,
    );
  });

  it("keeps processed payment notifications 7 days unless told otherwise, and refuses a negative window", () => {
    expect(loadCheckoutConfig(base).notificationRetentionDays).toBe(7);
    expect(loadCheckoutConfig({ ...base, CHECKOUT_NOTIFICATION_RETENTION_DAYS: "0.5" }).notificationRetentionDays).toBe(
      0.5,
    );
    expect(() => loadCheckoutConfig({ ...base, CHECKOUT_NOTIFICATION_RETENTION_DAYS: "-1" })).toThrow(
      /CHECKOUT_NOTIFICATION_RETENTION_DAYS/,
    );
    expect(() => loadCheckoutConfig({ ...base, CHECKOUT_NOTIFICATION_RETENTION_DAYS: "week" })).toThrow(ConfigError);
  });

  it("refuses a breaker threshold below one", () => {
    expect(() => loadCheckoutConfig({ ...base, CHECKOUT_BREAKER_FAILURES: "0" })).toThrow(ConfigError);
  });

  it("reads the Kafka user the relay authenticates as", () => {
    expect(loadCheckoutConfig(base).kafkaSasl).toBeUndefined();
    const config = loadCheckoutConfig({
      ...base,
      KAFKA_BROKERS: "127.0.0.1:9092",
      KAFKA_USERNAME: "checkout-service",
      KAFKA_PASSWORD: "s3cret",
    });
    expect(config.kafkaSasl).toEqual({ mechanism: "scram-sha-256", username: "checkout-service", password: "s3cret" });
    expect(() => loadCheckoutConfig({ ...base, KAFKA_USERNAME: "checkout-service" })).toThrow(/KAFKA_PASSWORD/);
  });
});
