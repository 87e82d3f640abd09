import { createInProcessEventBus, createLogger } from "@checkout-saga/shared";
import { loadOrdersConfig, startOrdersService } from "../src/index.js";

/*
 * orders-service in a process of its own for crash tests, configured by env only, as main.ts
 * runs it but on an in-process bus (what it publishes stays in its outbox table, where the
 * tests count it): no Kafka needed to prove a SIGKILL leaves nothing done twice.
 */
const config = loadOrdersConfig(process.env);
const logger = createLogger("orders-service", { level: config.logLevel, format: "json" });
const service = await startOrdersService(config, logger, { events: createInProcessEventBus({ logger }) });
logger.info({ port: service.port }, "orders test process started");
process.once("SIGTERM", () => {
  service.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
