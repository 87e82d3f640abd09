import { ConfigError, defaultPorts, envReader } from "@checkout-saga/shared";

type Env = Record<string, string | undefined>;

export interface OrdersConfig {
  port: number;
  /** postgres:// URL of the orders database. */
  databaseUrl: string;
  logLevel: string;
  /** Production mode's brokers; embedded mode hands the service an in-process bus instead. */
  kafkaBrokers?: string;
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
    kafkaBrokers: e.optionalString("KAFKA_BROKERS"),
  };
}
