import { runProcess } from "@checkout-saga/shared";
import { loadCheckoutConfig } from "./config.js";
import { startCheckoutService } from "./service.js";

await runProcess({
  name: "checkout-service",
  env: process.env,
  loadConfig: loadCheckoutConfig,
  kafka: true,
  start: (config, { logger, events }) => startCheckoutService(config, logger, { events }),
});
