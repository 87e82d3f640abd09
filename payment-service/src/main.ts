import { runProcess } from "@checkout-saga/shared";
import { loadPaymentConfig } from "./config.js";
import { startPaymentService } from "./service.js";

await runProcess({
  name: "payment-service",
  env: process.env,
  loadConfig: loadPaymentConfig,
  start: (config, { logger }) => startPaymentService(config, logger),
});
