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
import { CRASH_POINTS, type CrashPoint } from "./cancellation/cancellation-faults.js";

type Env = Record<string, string | undefined>;

/** How the orders outbox relay batches and polls, and how long published rows stay for replay. */
export interface OrdersOutboxSettings {
  batchSize: number;
  pollIntervalMs: number;
  retentionDays: number;
}

/** Order events come one per admin action or checkout, far fewer than checkout events: smaller batches. */
export const DEFAULT_ORDERS_OUTBOX: OrdersOutboxSettings = { batchSize: 500, pollIntervalMs: 500, retentionDays: 7 };

/** How cancellations are driven, and found again when their driver died or a step kept failing. */
export interface CancellationSettings {
  /** ORDERS_LEASE_MS: how long a driver owns a cancellation without renewing it. */
  leaseMs: number;
  /** ORDERS_RECOVERY_INTERVAL_MS: how often recovery looks for cancellations nobody drives. */
  recoveryIntervalMs: number;
  /** Recovery leaves alone cancellations touched more recently than this. */
  recoveryGraceMs: number;
  /** How long a cancellation flagged as needing attention rests between tries. */
  attentionRetryMs: number;
  /** How long a step's calls keep retrying within one drive before it waits, flagged, for recovery. */
  stepDeadlineMs: number;
  /** Each Refund or ReturnStock call's own deadline. */
  callTimeoutMs: number;
}

export const DEFAULT_CANCELLATION: CancellationSettings = {
  leaseMs: 30_000,
  recoveryIntervalMs: 5_000,
  recoveryGraceMs: 3_000,
  attentionRetryMs: 60_000,
  stepDeadlineMs: 30_000,
  callTimeoutMs: 10_000,
};

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
  /**
   * Where the cancellation saga refunds (PAYMENT_URL) and returns stock (INVENTORY_URL);
   * undefined: the services' default ports on this machine (a config built by hand in a test).
   */
  paymentUrl?: string;
  inventoryUrl?: string;
  /** The defaults when undefined (a config built by hand in a test). */
  cancellation?: CancellationSettings;
  /** ORDERS_CRASH_AT, a test hook: SIGKILL this process when a cancellation reaches that point. */
  crashAt?: CrashPoint;
}

export function loadOrdersConfig(env: Env): OrdersConfig {
  const e = envReader(env);
  const databaseUrl = e.string("ORDERS_DATABASE_URL");
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("ORDERS_DATABASE_URL must be a postgres:// or postgresql:// URL");
  }
  const port = e.int("ORDERS_PORT", defaultPorts.orders, { min: 0, max: 65535 });
  const url = (name: string, port: number) => e.string(name, `http://127.0.0.1:${port}`);
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
    paymentUrl: url("PAYMENT_URL", defaultPorts.payment),
    inventoryUrl: url("INVENTORY_URL", defaultPorts.inventory),
    cancellation: {
      ...DEFAULT_CANCELLATION,
      leaseMs: e.int("ORDERS_LEASE_MS", DEFAULT_CANCELLATION.leaseMs, { min: 100 }),
      recoveryIntervalMs: e.int("ORDERS_RECOVERY_INTERVAL_MS", DEFAULT_CANCELLATION.recoveryIntervalMs, { min: 10 }),
    },
    crashAt: crashPoint(e.optionalString("ORDERS_CRASH_AT")),
  };
}

function crashPoint(value: string | undefined): CrashPoint | undefined {
  if (value === undefined || value === "") return undefined;
  const point = CRASH_POINTS.find((p) => p === value);
  if (!point) throw new ConfigError(`ORDERS_CRASH_AT must be one of ${CRASH_POINTS.join(", ")}; got "${value}"`);
  return point;
}
