import {
  ConfigError,
  defaultAdminPorts,
  defaultPorts,
  envReader,
  type KafkaSasl,
  type RpcCredentialSettings,
  readKafkaSasl,
  rpcCredentialSettings,
} from "@checkout-saga/shared";

type Env = Record<string, string | undefined>;

/** How the orders outbox relay batches and polls, and how long published rows stay for replay. */
export interface OrdersOutboxSettings {
  batchSize: number;
  pollIntervalMs: number;
  retentionDays: number;
}

/** Order events come one per admin action or checkout, far fewer than checkout events: smaller batches. */
export const DEFAULT_ORDERS_OUTBOX: OrdersOutboxSettings = { batchSize: 500, pollIntervalMs: 500, retentionDays: 7 };

export interface OrdersConfig {
  port: number;
  /** Where /health and /metrics are served (HTTP/1.1); undefined: not served (a config built by hand in a test). */
  adminPort?: number;
  /** postgres:// URL of the orders database. */
  databaseUrl: string;
  /** Service credentials: this process's key and the trust bundle (RPC_CREDENTIALS, RPC_*_FILE). */
  credentials: RpcCredentialSettings;
  logLevel: string;
  /** Production mode's brokers; embedded mode hands the service an in-process bus instead. */
  kafkaBrokers?: string;
  /** Who the service is to the brokers (KAFKA_SASL_MECHANISM, KAFKA_USERNAME, KAFKA_PASSWORD); anonymous when unset. */
  kafkaSasl?: KafkaSasl;
  /** OUTBOX_BATCH_SIZE, OUTBOX_POLL_INTERVAL_MS, OUTBOX_RETENTION_DAYS; the defaults when undefined (a config built by hand in a test). */
  outbox?: OrdersOutboxSettings;
}

export function loadOrdersConfig(env: Env): OrdersConfig {
  const e = envReader(env);
  const databaseUrl = e.string("ORDERS_DATABASE_URL");
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("ORDERS_DATABASE_URL must be a postgres:// or postgresql:// URL");
  }
  const port = e.int("ORDERS_PORT", defaultPorts.orders, { min: 0, max: 65535 });
  return {
    port,
    adminPort: e.int("ORDERS_ADMIN_PORT", port === 0 ? 0 : defaultAdminPorts.orders, { min: 0, max: 65535 }),
    databaseUrl,
    credentials: rpcCredentialSettings(e),
    logLevel: e.string("LOG_LEVEL", "info"),
    kafkaBrokers: e.optionalString("KAFKA_BROKERS"),
    kafkaSasl: readKafkaSasl(e),
    outbox: {
      batchSize: e.int("OUTBOX_BATCH_SIZE", DEFAULT_ORDERS_OUTBOX.batchSize, { min: 1, max: 10_000 }),
      pollIntervalMs: e.int("OUTBOX_POLL_INTERVAL_MS", DEFAULT_ORDERS_OUTBOX.pollIntervalMs, { min: 1 }),
      retentionDays: e.number("OUTBOX_RETENTION_DAYS", DEFAULT_ORDERS_OUTBOX.retentionDays, { min: 0 }),
    },
  };
}
