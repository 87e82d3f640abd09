import { ConfigError, createLogger, runUntilSignalled } from "@checkout-saga/shared";
import { loadCheckoutConfig } from "./config.js";

const logger = createLogger("checkout-service", { level: process.env.LOG_LEVEL });
await runUntilSignalled(logger, async () => {
  const config = loadCheckoutConfig(process.env);
  // On its own the service needs a broker for its outbox relay; embedded mode passes the in-process bus.
  if (!config.kafkaBrokers) {
    throw new ConfigError(
      "KAFKA_BROKERS is required to run checkout-service on its own (npm start runs every service in embedded mode)",
    );
  }
  throw new Error("the Kafka event publisher is not wired into checkout-service yet (issue #3)");
});
