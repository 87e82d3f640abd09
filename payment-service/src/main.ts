import { createLogger, runUntilSignalled } from "@checkout-saga/shared";
import { loadPaymentConfig } from "./config.js";
import { startPaymentService } from "./service.js";

const logger = createLogger("payment-service", { level: process.env.LOG_LEVEL });
await runUntilSignalled(logger, async () => startPaymentService(loadPaymentConfig(process.env), logger));
