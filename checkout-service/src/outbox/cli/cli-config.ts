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

/** A running local system the CLI can talk to: its settings (as env) and a line naming it. */
export interface FoundSystem {
  description: string;
  env: Record<string, string>;
}

/**
 * How the CLI finds a running system when the env names none: `find` returns it or throws a
 * ConfigError saying how to start one; `found` hears which one, once, when first used.
 */
export interface SystemFinder {
  find(): FoundSystem;
  found(description: string): void;
}

/**
 * Reads the CLI's environment; a missing or malformed setting throws ConfigError naming it, when
 * first needed. With a `finder`, an env that sets neither CHECKOUT_DATABASE_URL nor KAFKA_BROKERS
 * takes its settings from the running system it finds (the env, when it names either, wins whole:
 * a database from one system and a broker from another would not agree).
 */
export function loadOutboxCliConfig(env: Record<string, string | undefined>, finder?: SystemFinder): OutboxCliConfig {
  const chosen = finder && env.CHECKOUT_DATABASE_URL === undefined && env.KAFKA_BROKERS === undefined;
  let reader: ReturnType<typeof envReader> | undefined;
  const settings = () => {
    if (!reader) {
      const system = chosen ? finder.find() : undefined;
      if (system) finder?.found(system.description);
      reader = envReader({ ...env, ...system?.env });
    }
    return reader;
  };
  return {
    databaseUrl() {
      const url = settings().optionalString("CHECKOUT_DATABASE_URL");
      if (!url) {
        throw new ConfigError(
          "CHECKOUT_DATABASE_URL is required: the checkout service's PostgreSQL database, e.g. postgres://checkout_service:<password>@127.0.0.1:15432/checkout",
        );
      }
      return url;
    },
    kafka() {
      const e = settings();
      const raw = e.optionalString("KAFKA_BROKERS");
      if (raw === undefined) return undefined;
      const sasl = readKafkaSasl(e);
      return { brokers: parseKafkaBrokers(raw, "the outbox CLI"), sasl };
    },
  };
}
