import { ConfigError, defaultPorts, envReader } from "@checkout-saga/shared";

type Env = Record<string, string | undefined>;

export interface OrdersConfig {
  port: number;
  /** postgres:// URL of the orders database. */
  databaseUrl: string;
  logLevel: string;
}

export function loadOrdersConfig(env: Env): OrdersConfig {
  const e = envReader(env);
  const databaseUrl = e.string("ORDERS_DATABASE_URL");
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("ORDERS_DATABASE_URL must be a postgres:// or postgresql:// URL");
  }
  return {
    port: e.int("ORDERS_PORT", defaultPorts.orders, { min: 0, max: 65535 }),
    databaseUrl,
    logLevel: e.string("LOG_LEVEL", "info"),
  };
}

/** The Kafka brokers a stand-alone orders-service consumes from (embedded mode passes its own bus instead). */
export function loadKafkaBrokers(env: Env): string[] {
  const brokers = envReader(env).optionalString("KAFKA_BROKERS");
  if (brokers === undefined) {
    throw new ConfigError(
      "KAFKA_BROKERS is required to run orders-service on its own (npm start runs every service in embedded mode)",
    );
  }
  return brokers.split(",").map((b) => b.trim());
}
