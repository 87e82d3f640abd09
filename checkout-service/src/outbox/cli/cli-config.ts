import { ConfigError, envReader, type KafkaConnection, parseKafkaBrokers, readKafkaSasl } from "@checkout-saga/shared";

/** The outbox CLI's settings; each command asks only for what it uses. */
export interface OutboxCliConfig {
  /** CHECKOUT_DATABASE_URL: the checkout service's database (status, list, replay). */
  databaseUrl(): string;
  /**
   * KAFKA_BROKERS, parsed, with the SASL user (KAFKA_SASL_MECHANISM, KAFKA_USERNAME,
   * KAFKA_PASSWORD) when set; undefined in embedded mode (no broker to reach).
   */
  kafka(): KafkaConnection | undefined;
}

/** Reads the CLI's environment; a missing or malformed setting throws ConfigError naming it, when first needed. */
export function loadOutboxCliConfig(env: Record<string, string | undefined>): OutboxCliConfig {
  const e = envReader(env);
  return {
    databaseUrl() {
      const url = e.optionalString("CHECKOUT_DATABASE_URL");
      if (!url) {
        throw new ConfigError(
          "CHECKOUT_DATABASE_URL is required: the checkout service's PostgreSQL database, e.g. postgres://checkout_service:<password>@127.0.0.1:15432/checkout",
        );
      }
      return url;
    },
    kafka() {
      const raw = e.optionalString("KAFKA_BROKERS");
      if (raw === undefined) return undefined;
      const sasl = readKafkaSasl(e);
      return { brokers: parseKafkaBrokers(raw, "the outbox CLI"), sasl };
    },
  };
}
