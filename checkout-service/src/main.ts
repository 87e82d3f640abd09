import { createKafkaDeadLetters, runProcess } from "@checkout-saga/shared";
import { loadCheckoutConfig } from "./config.js";
import { checkoutDeadLetterQueue } from "./outbox/checkout-dead-letters.js";
import { startCheckoutService } from "./service.js";

await runProcess({
  name: "checkout-service",
  env: process.env,
  loadConfig: loadCheckoutConfig,
  kafka: true,
  start: (config, { logger, events, kafka }) =>
    startCheckoutService(config, logger, {
      events,
      // Its throwaway list groups are named checkout-service-dead-letters-…, a prefix its Kafka user
      // may read; it sends dead letters back through the relay's producer.
      deadLetters: createKafkaDeadLetters(checkoutDeadLetterQueue(kafka, "checkout-service-dead-letters"), events),
    }),
});
