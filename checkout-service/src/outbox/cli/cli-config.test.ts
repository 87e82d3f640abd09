import { describe, expect, it, vi } from "vitest";
import { loadOutboxCliConfig } from "./cli-config.js";

const STACK = {
  description: "using the running stack",
  env: { CHECKOUT_DATABASE_URL: "postgres://found/checkout", KAFKA_BROKERS: "127.0.0.1:9092" },
};

describe("the outbox CLI's settings", () => {
  it("come from the env when it names the database or a broker: nothing is looked for", () => {
    const finder = { find: vi.fn(() => STACK), found: vi.fn() };
    const config = loadOutboxCliConfig({ CHECKOUT_DATABASE_URL: "postgres://env/checkout" }, finder);
    expect(config.databaseUrl()).toBe("postgres://env/checkout");
    expect(config.kafka()).toBeUndefined();
    const brokerOnly = loadOutboxCliConfig({ KAFKA_BROKERS: "10.0.0.1:9092" }, finder);
    expect(brokerOnly.kafka()?.brokers).toEqual(["10.0.0.1:9092"]);
    expect(finder.find).not.toHaveBeenCalled();
  });

  it("come from the running system found otherwise, which is named once", () => {
    const finder = { find: vi.fn(() => STACK), found: vi.fn() };
    const config = loadOutboxCliConfig({}, finder);
    expect(config.databaseUrl()).toBe("postgres://found/checkout");
    expect(config.kafka()?.brokers).toEqual(["127.0.0.1:9092"]);
    expect(finder.find).toHaveBeenCalledTimes(1);
    expect(finder.found).toHaveBeenCalledExactlyOnceWith("using the running stack");
  });
});
