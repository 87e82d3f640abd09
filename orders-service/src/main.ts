import { runProcess } from "@checkout-saga/shared";
import { loadOrdersConfig } from "./config.js";
import { startOrdersService } from "./service.js";

await runProcess({
  name: "orders-service",
  env: process.env,
  loadConfig: loadOrdersConfig,
  kafka: true,
  start: (config, { logger, events }) => startOrdersService(config, logger, { events }),
});
