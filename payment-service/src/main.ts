import { runProcess } from "@checkout-saga/shared";
import { loadPaymentConfig } from "./config.js";
import { startPaymentService } from "./service.js";

await runProcess({
  name: "payment-service",
  env: process.env,
  loadConfig: loadPaymentConfig,
  kafka: true,
  start: (config, { logger, events }) => startPaymentService(config, logger, { events }),
});
