import { ConfigError } from "../config.js";
import type { Running } from "../lifecycle.js";
import type { Logger } from "../logger.js";
import { createKafkaEventBus, type KafkaEventBus } from "./kafka-bus.js";

/** The brokers a service talks to in production mode, from its KAFKA_BROKERS setting (comma-separated). */
export function parseKafkaBrokers(raw: string | undefined, service: string): string[] {
  if (raw === undefined) {
    throw new ConfigError(
      `KAFKA_BROKERS is required to run ${service} on its own (npm start runs every service in embedded mode)`,
    );
  }
  const brokers = raw
    .split(",")
    .map((b) => b.trim())
    .filter((b) => b !== "");
  if (brokers.some((b) => !/^[\w.-]+:\d+$/.test(b))) {
    throw new ConfigError(`KAFKA_BROKERS must be host:port[,host:port…], got "${raw}"`);
  }
  return brokers;
}

/**
 * Production-mode composition for a service that publishes or consumes events: builds the
 * Kafka bus, starts the service on it, and stops them in reverse (service first, so its
 * consumers commit and its relay finishes the batch in flight, then the bus flushes).
 */
export async function startWithKafka(
  service: string,
  kafkaBrokers: string | undefined,
  logger: Logger,
  start: (events: KafkaEventBus) => Promise<Running>,
): Promise<Running> {
  const bus = createKafkaEventBus({ brokers: parseKafkaBrokers(kafkaBrokers, service), clientId: service, logger });
  let running: Running;
  try {
    running = await start(bus);
  } catch (err) {
    await bus.close();
    throw err;
  }
  return {
    async stop() {
      try {
        await running.stop();
      } finally {
        await bus.close();
      }
    },
  };
}
