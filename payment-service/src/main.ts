import { createLogger, runUntilSignalled, withTracing } from "@checkout-saga/shared";
import { loadPaymentConfig } from "./config.js";
import { startPaymentService } from "./service.js";

const logger = createLogger("payment-service", { level: process.env.LOG_LEVEL });
await runUntilSignalled(
  logger,
  withTracing("payment-service", process.env, async () => startPaymentService(loadPaymentConfig(process.env), logger)),
);
