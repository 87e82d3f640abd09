import { runProcess } from "@checkout-saga/shared";
import { loadProductConfig } from "./config.js";
import { startProductService } from "./service.js";

await runProcess({
  name: "product-service",
  env: process.env,
  loadConfig: loadProductConfig,
  start: (config, { logger }) => startProductService(config, logger),
});
