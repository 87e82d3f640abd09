import { createLogger, runUntilSignalled } from "@checkout-saga/shared";
import { loadKafkaBrokers, loadOrdersConfig } from "./config.js";

const logger = createLogger("orders-service", { level: process.env.LOG_LEVEL });
await runUntilSignalled(logger, async () => {
  const brokers = loadKafkaBrokers(process.env);
  loadOrdersConfig(process.env);
  throw new Error(`the Kafka adapter is not wired yet (issue #3); cannot consume from ${brokers.join(",")}`);
});
