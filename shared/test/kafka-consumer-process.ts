/**
 * A Kafka bus subscriber in a process of its own, for a test to see what a crash leaves behind.
 * It prints `handled <event id>` for each event its handler finished, and when the KILL_AT-th
 * event arrives it dies on the spot (SIGKILL: no close, no commit), that event unfinished.
 *
 * Env: KAFKA_BROKERS (comma-separated), KAFKA_USERNAME, KAFKA_PASSWORD, KAFKA_SASL_MECHANISM,
 * TOPIC, GROUP, KILL_AT.
 */
import { createKafkaEventBus } from "../src/events/kafka-bus.js";
import { parseKafkaSasl } from "../src/events/kafka-wiring.js";
import { testLogger } from "../src/testing/index.js";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const killAt = Number(required("KILL_AT"));
const bus = createKafkaEventBus({
  brokers: required("KAFKA_BROKERS").split(","),
  sasl: parseKafkaSasl({
    mechanism: process.env.KAFKA_SASL_MECHANISM,
    username: process.env.KAFKA_USERNAME,
    password: process.env.KAFKA_PASSWORD,
  }),
  clientId: "consumer-killed-mid-batch",
  logger: testLogger("consumer-killed-mid-batch"),
});
let arrived = 0;
await bus.subscribe({
  topic: required("TOPIC"),
  group: required("GROUP"),
  handler: async (event) => {
    arrived++;
    if (arrived === killAt) process.kill(process.pid, "SIGKILL");
    // Synchronous on a pipe: the line is out before the next event can kill the process.
    process.stdout.write(`handled ${event.eventId}\n`);
  },
});
