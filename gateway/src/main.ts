import { createLogger, runUntilSignalled, withTracing } from "@checkout-saga/shared";
import { loadGatewayConfig } from "./config.js";
import { startGateway } from "./service.js";

const logger = createLogger("gateway", { level: process.env.LOG_LEVEL });
await runUntilSignalled(
  logger,
  withTracing("gateway", process.env, async () => startGateway(loadGatewayConfig(process.env), logger)),
);
