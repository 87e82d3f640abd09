import { runProcess } from "@checkout-saga/shared";
import { loadGatewayConfig } from "./config.js";
import { startGateway } from "./service.js";

await runProcess({
  name: "gateway",
  env: process.env,
  loadConfig: loadGatewayConfig,
  start: (config, { logger }) => startGateway(config, logger),
});
