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

/** The SASL mechanisms a client can authenticate with (kafkajs names them in lower case). */
export const KAFKA_SASL_MECHANISMS = ["scram-sha-256", "scram-sha-512", "plain"] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** Who a Kafka client authenticates as (SASL over the broker's client listener); kafkajs's `sasl` as it is. */
export type KafkaSasl = {
  [M in KafkaSaslMechanism]: { mechanism: M; username: string; password: string };
}[KafkaSaslMechanism];

/** Where a Kafka client connects and, when the brokers ask for it, as whom. */
export interface KafkaConnection {
  brokers: string[];
  sasl?: KafkaSasl;
}

/**
 * The SASL settings of a Kafka client, from the three settings readKafkaSasl (kafka-login.ts)
 * reads. None set: no SASL (a broker that allows anonymous clients). A user needs its password
 * and the other way round; the mechanism defaults to SCRAM-SHA-256. No message quotes the password.
 */
export function parseKafkaSasl(raw: {
  mechanism: string | undefined;
  username: string | undefined;
  password: string | undefined;
}): KafkaSasl | undefined {
  const { username, password } = raw;
  if (username === undefined && password === undefined) {
    if (raw.mechanism !== undefined) {
      throw new ConfigError("KAFKA_SASL_MECHANISM is set: KAFKA_USERNAME and KAFKA_PASSWORD are required with it");
    }
    return undefined;
  }
  if (username === undefined) throw new ConfigError("KAFKA_PASSWORD is set: KAFKA_USERNAME is required with it");
  if (password === undefined) throw new ConfigError("KAFKA_USERNAME is set: KAFKA_PASSWORD is required with it");
  const mechanism = (raw.mechanism ?? "scram-sha-256").toLowerCase();
  if (!(KAFKA_SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new ConfigError(
      `KAFKA_SASL_MECHANISM must be one of ${KAFKA_SASL_MECHANISMS.join(", ")}, got "${raw.mechanism}"`,
    );
  }
  return { mechanism: mechanism as KafkaSaslMechanism, username, password };
}
