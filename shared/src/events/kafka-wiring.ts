import { ConfigError } from "../config.js";

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
