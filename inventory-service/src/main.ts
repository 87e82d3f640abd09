import { createLogger, runUntilSignalled } from "@checkout-saga/shared";
import { loadInventoryConfig } from "./config.js";
import { startInventoryService } from "./service.js";

const logger = createLogger("inventory-service");
await runUntilSignalled(logger, async () => {
  const config = loadInventoryConfig(process.env);
  logger.level = config.logLevel;
  return startInventoryService(config, logger);
});
