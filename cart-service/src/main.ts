import { runProcess } from "@checkout-saga/shared";
import { loadCartConfig } from "./config.js";
import { startCartService } from "./service.js";

await runProcess({
  name: "cart-service",
  env: process.env,
  loadConfig: loadCartConfig,
  kafka: true,
  start: (config, { logger, events }) => startCartService(config, logger, { events }),
});
