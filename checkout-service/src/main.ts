import { createLogger, runUntilSignalled, startWithKafka, withTracing } from "@checkout-saga/shared";
import { loadCheckoutConfig } from "./config.js";
import { startCheckoutService } from "./service.js";

const logger = createLogger("checkout-service", { level: process.env.LOG_LEVEL });
await runUntilSignalled(
  logger,
  withTracing("checkout-service", process.env, async () => {
    const config = loadCheckoutConfig(process.env);
    return startWithKafka("checkout-service", config.kafkaBrokers, logger, (events) =>
      startCheckoutService(config, logger, { events }),
    );
  }),
);
