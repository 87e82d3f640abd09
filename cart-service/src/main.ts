import { createLogger, runUntilSignalled, startWithKafka, withTracing } from "@checkout-saga/shared";
import { loadCartConfig } from "./config.js";
import { startCartService } from "./service.js";

const logger = createLogger("cart-service", { level: process.env.LOG_LEVEL });
await runUntilSignalled(
  logger,
  withTracing("cart-service", process.env, async () => {
    const config = loadCartConfig(process.env);
    return startWithKafka("cart-service", config.kafkaBrokers, logger, (events) =>
      startCartService(config, logger, { events }),
    );
  }),
);
