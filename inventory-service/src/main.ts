import { runProcess } from "@checkout-saga/shared";
import { loadInventoryConfig } from "./config.js";
import { startInventoryService } from "./service.js";

await runProcess({
  name: "inventory-service",
  env: process.env,
  loadConfig: loadInventoryConfig,
  start: (config, { logger }) => startInventoryService(config, logger),
});
