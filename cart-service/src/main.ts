import { ConfigError, createLogger, runUntilSignalled } from "@checkout-saga/shared";
import { loadCartConfig } from "./config.js";

const logger = createLogger("cart-service", { level: process.env.LOG_LEVEL });
// Production mode (Kafka events, MongoDB carts, Redis cache) is wired in issue #3.
await runUntilSignalled(logger, async () => {
  const config = loadCartConfig(process.env);
  if (!config.kafkaBrokers?.length) {
    throw new ConfigError(
      "KAFKA_BROKERS is required to run cart-service on its own (npm start runs every service in embedded mode)",
    );
  }
  throw new Error("cart-service: the Kafka adapter is not wired yet (issue #3)");
});
