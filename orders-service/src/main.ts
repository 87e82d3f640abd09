import { createLogger, runUntilSignalled, startWithKafka, withTracing } from "@checkout-saga/shared";
import { loadOrdersConfig } from "./config.js";
import { startOrdersService } from "./service.js";

const logger = createLogger("orders-service", { level: process.env.LOG_LEVEL });
await runUntilSignalled(
  logger,
  withTracing("orders-service", process.env, async () => {
    const config = loadOrdersConfig(process.env);
    return startWithKafka("orders-service", config.kafkaBrokers, logger, (events) =>
      startOrdersService(config, logger, { events }),
    );
  }),
);
