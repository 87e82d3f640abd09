import { createLogger, runUntilSignalled, withTracing } from "@checkout-saga/shared";
import { loadInventoryConfig } from "./config.js";
import { startInventoryService } from "./service.js";

const logger = createLogger("inventory-service");
await runUntilSignalled(
  logger,
  withTracing("inventory-service", process.env, async () => {
    const config = loadInventoryConfig(process.env);
    logger.level = config.logLevel;
    return startInventoryService(config, logger);
  }),
);
