import { createLogger, runUntilSignalled, withTracing } from "@checkout-saga/shared";
import { loadProductConfig } from "./config.js";
import { startProductService } from "./service.js";

const logger = createLogger("product-service", { level: process.env.LOG_LEVEL });
await runUntilSignalled(
  logger,
  withTracing("product-service", process.env, async () => startProductService(loadProductConfig(process.env), logger)),
);
