import { createLogger, runUntilSignalled } from "@checkout-saga/shared";
import { loadProductConfig } from "./config.js";
import { startProductService } from "./service.js";

const logger = createLogger("product-service", { level: process.env.LOG_LEVEL });
await runUntilSignalled(logger, async () => startProductService(loadProductConfig(process.env), logger));
