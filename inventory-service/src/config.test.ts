import { ConfigError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { loadInventoryConfig } from "./config.js";

const url = "postgres://inventory@127.0.0.1:5432/inventory";

describe("loadInventoryConfig", () => {
  it("applies the defaults", () => {
    expect(loadInventoryConfig({ INVENTORY_DATABASE_URL: url })).toEqual({
      port: 50053,
      adminPort: 9453,
      databaseUrl: url,
      reservationTtlSeconds: 300,
      sweepIntervalMs: 5_000,
      // Off unless told: a service started as its own process is told on (runProcess).
      credentials: { required: false },
      logLevel: "info",
    });
  });

  it("reads every setting", () => {
    const config = loadInventoryConfig({
      INVENTORY_DATABASE_URL: url,
      INVENTORY_PORT: "6000",
      INVENTORY_RESERVATION_TTL_SECONDS: "60",
      INVENTORY_SWEEP_INTERVAL_MS: "250",
      LOG_LEVEL: "debug",
    });
    expect(config).toMatchObject({ port: 6000, reservationTtlSeconds: 60, sweepIntervalMs: 250, logLevel: "debug" });
  });

  it("requires the database url", () => {
    expect(() => loadInventoryConfig({})).toThrow(new ConfigError("INVENTORY_DATABASE_URL is required"));
  });

  it("rejects a ttl above 62 days (the longest konbini voucher plus a margin)", () => {
    expect(() =>
      loadInventoryConfig({ INVENTORY_DATABASE_URL: url, INVENTORY_RESERVATION_TTL_SECONDS: "5356801" }),
    ).toThrow(/INVENTORY_RESERVATION_TTL_SECONDS/);
  });
});
