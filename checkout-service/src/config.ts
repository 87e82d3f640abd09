import {
  ConfigError,
  DEFAULT_COMPENSATION_POLICY,
  defaultAdminPorts,
  defaultPorts,
  envReader,
  type KafkaSasl,
  type RpcCredentialSettings,
  readKafkaSasl,
  rpcCredentialSettings,
} from "@checkout-saga/shared";
import { CRASH_POINTS, type CrashPoint } from "./saga/saga-faults.js";

export interface CheckoutConfig {
  port: number;
  /** Where /health and /metrics are served (HTTP/1.1); undefined: not served (a config built by hand in a test). */
  adminPort?: number;
  databaseUrl: string;
  cartUrl: string;
  productUrl: string;
  inventoryUrl: string;
  paymentUrl: string;
  /** SAGA_STEP_MODE: checkouts may ask to stop after each transition. */
  stepModeEnabled: boolean;
  /** Per-call deadlines of downstream calls. */
  inventoryTimeoutMs: number;
  paymentTimeoutMs: number;
  /** How long a driver owns a checkout before others may take it over; renewed per step. */
  leaseMs: number;
  recoveryIntervalMs: number;
  /** Recovery leaves alone checkouts touched more recently than this. */
  recoveryGraceMs: number;
  /** How often recovery retries a compensation that needs attention. */
  attentionRetryMs: number;
  /** How long a compensation waits out a downstream that is away (a restart) before its failures count toward the flag. */
  compensationPatienceMs: number;
  /** How long claiming the cart's lines, reserving and confirming stock retry a downstream that is away (a restart). */
  reserveDeadlineMs: number;
  /** How long the charge keeps retrying a payment service that is away before the checkout waits in PAYMENT_PENDING. */
  chargeDeadlineMs: number;
  /** How long PAYMENT_PENDING may wait for a card payment's outcome before the saga gives up. */
  paymentDeadlineMs: number;
  /**
   * KONBINI_EXPIRES_AFTER_SECONDS, the payment service's setting read here too: the stock must be
   * held as long as a voucher may be paid, and that is known before the charge issues it.
   */
  konbiniExpiresAfterSeconds: number;
  /** CHECKOUT_PAYMENT_MARGIN_SECONDS: added to a payment's window for the stock's hold and the saga's deadline. */
  paymentMarginSeconds: number;
  /** Per downstream: consecutive failures (unreachable, timed out) that open its circuit. */
  breakerFailures: number;
  /** How long an open circuit fails calls fast before one trial call may go through. */
  breakerCooldownMs: number;
  /** CHECKOUT_CRASH_AT, a test hook: SIGKILL this process when the saga reaches that point. */
  crashAt?: CrashPoint;
  outboxBatchSize: number;
  outboxPollIntervalMs: number;
  /** OUTBOX_RETENTION_DAYS: published outbox rows are kept this long for replay, then deleted. */
  outboxRetentionDays: number;
  /**
   * CHECKOUT_NOTIFICATION_RETENTION_DAYS: processed payment notifications are kept this long (a
   * redelivery within it is recognised by its webhook id), then deleted.
   */
  notificationRetentionDays: number;
  /** Service credentials: this process's key and the trust bundle (RPC_CREDENTIALS, RPC_*_FILE). */
  credentials: RpcCredentialSettings;
  logLevel: string;
  /** Production mode's brokers; embedded mode hands the service an in-process bus instead. */
  kafkaBrokers?: string;
  /** Who the service is to the brokers (KAFKA_SASL_MECHANISM, KAFKA_USERNAME, KAFKA_PASSWORD); anonymous when unset. */
  kafkaSasl?: KafkaSasl;
}

export function loadCheckoutConfig(env: Record<string, string | undefined>): CheckoutConfig {
  const e = envReader(env);
  const url = (name: string, port: number) => e.string(name, `http://127.0.0.1:${port}`);
  const port = e.int("CHECKOUT_PORT", defaultPorts.checkout, { min: 0, max: 65535 });
  return {
    port,
    adminPort: e.int("CHECKOUT_ADMIN_PORT", port === 0 ? 0 : defaultAdminPorts.checkout, { min: 0, max: 65535 }),
    databaseUrl: e.string("CHECKOUT_DATABASE_URL"),
    cartUrl: url("CART_URL", defaultPorts.cart),
    productUrl: url("PRODUCT_URL", defaultPorts.product),
    inventoryUrl: url("INVENTORY_URL", defaultPorts.inventory),
    paymentUrl: url("PAYMENT_URL", defaultPorts.payment),
    stepModeEnabled: e.bool("SAGA_STEP_MODE", false),
    inventoryTimeoutMs: e.int("CHECKOUT_INVENTORY_TIMEOUT_MS", 30_000, { min: 1 }),
    paymentTimeoutMs: e.int("CHECKOUT_PAYMENT_TIMEOUT_MS", 60_000, { min: 1 }),
    leaseMs: e.int("CHECKOUT_LEASE_MS", 30_000, { min: 100 }),
    recoveryIntervalMs: e.int("CHECKOUT_RECOVERY_INTERVAL_MS", 5_000, { min: 10 }),
    recoveryGraceMs: e.int("CHECKOUT_RECOVERY_GRACE_MS", 3_000, { min: 0 }),
    attentionRetryMs: e.int("CHECKOUT_ATTENTION_RETRY_MS", 60_000, { min: 0 }),
    compensationPatienceMs: e.int(
      "CHECKOUT_COMPENSATION_PATIENCE_MS",
      DEFAULT_COMPENSATION_POLICY.transientPatienceMs,
      { min: 0 },
    ),
    reserveDeadlineMs: e.int("CHECKOUT_RESERVE_DEADLINE_MS", 30_000, { min: 0 }),
    chargeDeadlineMs: e.int("CHECKOUT_CHARGE_DEADLINE_MS", 60_000, { min: 0 }),
    paymentDeadlineMs: e.int("CHECKOUT_PAYMENT_DEADLINE_MS", 900_000, { min: 1 }),
    // The same default and bounds as the payment service's (3 days; at most 60 days).
    konbiniExpiresAfterSeconds: e.int("KONBINI_EXPIRES_AFTER_SECONDS", 3 * 24 * 3_600, {
      min: 1,
      max: 60 * 24 * 3_600,
    }),
    paymentMarginSeconds: e.int("CHECKOUT_PAYMENT_MARGIN_SECONDS", 300, { min: 0, max: 24 * 3_600 }),
    breakerFailures: e.int("CHECKOUT_BREAKER_FAILURES", 5, { min: 1 }),
    breakerCooldownMs: e.int("CHECKOUT_BREAKER_COOLDOWN_MS", 10_000, { min: 1 }),
    crashAt: crashPoint(e.optionalString("CHECKOUT_CRASH_AT")),
    outboxBatchSize: e.int("OUTBOX_BATCH_SIZE", 2_000, { min: 1, max: 10_000 }),
    outboxPollIntervalMs: e.int("OUTBOX_POLL_INTERVAL_MS", 500, { min: 1 }),
    outboxRetentionDays: e.number("OUTBOX_RETENTION_DAYS", 7, { min: 0 }),
    notificationRetentionDays: e.number("CHECKOUT_NOTIFICATION_RETENTION_DAYS", 7, { min: 0 }),
    credentials: rpcCredentialSettings(e),
    logLevel: e.string("LOG_LEVEL", "info"),
    kafkaBrokers: e.optionalString("KAFKA_BROKERS"),
    kafkaSasl: readKafkaSasl(e),
  };
}

function crashPoint(value: string | undefined): CrashPoint | undefined {
  if (value === undefined || value === "") return undefined;
  const point = CRASH_POINTS.find((p) => p === value);
  if (!point) throw new ConfigError(`CHECKOUT_CRASH_AT must be one of ${CRASH_POINTS.join(", ")}; got "${value}"`);
  return point;
}
