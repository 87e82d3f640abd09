import {
  ConfigError,
  defaultAdminPorts,
  defaultPorts,
  envReader,
  type KafkaSasl,
  PAYMENT_WEBHOOK_PATH,
  type RpcCredentialSettings,
  readKafkaSasl,
  readPaymentWebhookSecret,
  rpcCredentialSettings,
} from "@checkout-saga/shared";
import type { LatencyRange } from "./domain/latency.js";
import type { WebhookRetryPolicy } from "./domain/webhook-delivery.js";

export interface WebhookConfig {
  /**
   * Where webhooks are POSTed; undefined when neither PAYMENT_WEBHOOK_URL nor a fixed gateway port
   * says (GATEWAY_PORT=0): deliveries then wait in the database, none is lost.
   */
  url: string | undefined;
  /** Standard Webhooks signing secret (`whsec_` + base64). */
  secret: string;
  /** True when the secret is the built-in dev default (start-up logs a warning). */
  usesDevSecret: boolean;
  /** Longest one delivery attempt may take. */
  timeoutMs: number;
  retry: WebhookRetryPolicy;
  /** How often the worker looks for deliveries come due (retries, rows other instances wrote). */
  pollIntervalMs: number;
}

export interface PaymentConfig {
  port: number;
  /** Where /health and /metrics are served (HTTP/1.1); undefined: not served (a config built by hand in a test). */
  adminPort?: number;
  /** PostgreSQL database holding the payments. */
  databaseUrl: string;
  /** Simulated processing time per new charge. */
  latencyMs: LatencyRange;
  /** Probability (0..1) that a new charge is declined with `processing_error`. */
  failureRate: number;
  /** Service credentials: this process's key and the trust bundle (RPC_CREDENTIALS, RPC_*_FILE). */
  credentials: RpcCredentialSettings;
  konbini: {
    /** How long a voucher can be paid after the charge. */
    expiresAfterSeconds: number;
    /** How often pending vouchers past their expiry are expired (and announced). */
    sweepIntervalMs: number;
  };
  webhooks: WebhookConfig;
  points: {
    /** POINTS_EXPIRY_SWEEP_INTERVAL_MS: how often lots past their expiry leave the balance (with their history entry). */
    expirySweepIntervalMs: number;
  };
  logLevel: string;
  /** Production mode's brokers (points are earned from checkout and order events); embedded mode hands the service an in-process bus instead. */
  kafkaBrokers?: string;
  /** Who the service is to the brokers (KAFKA_SASL_MECHANISM, KAFKA_USERNAME, KAFKA_PASSWORD); anonymous when unset. */
  kafkaSasl?: KafkaSasl;
}

/** Konbini vouchers live at most 60 days (what konbini networks allow). */
const MAX_KONBINI_EXPIRY_SECONDS = 60 * 24 * 3600;
const THREE_DAYS_SECONDS = 3 * 24 * 3600;

export function loadPaymentConfig(env: Record<string, string | undefined>): PaymentConfig {
  const e = envReader(env);
  const port = e.int("PAYMENT_PORT", defaultPorts.payment, { min: 0, max: 65535 });
  return {
    port,
    adminPort: e.int("PAYMENT_ADMIN_PORT", port === 0 ? 0 : defaultAdminPorts.payment, { min: 0, max: 65535 }),
    databaseUrl: e.string("PAYMENT_DATABASE_URL"),
    latencyMs: e.msRange("PAYMENT_LATENCY_MS", "0"),
    failureRate: e.number("PAYMENT_FAILURE_RATE", 0, { min: 0, max: 1 }),
    credentials: rpcCredentialSettings(e),
    konbini: {
      expiresAfterSeconds: e.int("KONBINI_EXPIRES_AFTER_SECONDS", THREE_DAYS_SECONDS, {
        min: 1,
        max: MAX_KONBINI_EXPIRY_SECONDS,
      }),
      sweepIntervalMs: e.int("KONBINI_EXPIRY_SWEEP_INTERVAL_MS", 5_000, { min: 10, max: 3_600_000 }),
    },
    webhooks: loadWebhookConfig(e),
    points: {
      expirySweepIntervalMs: e.int("POINTS_EXPIRY_SWEEP_INTERVAL_MS", 60_000, { min: 10, max: 86_400_000 }),
    },
    logLevel: e.string("LOG_LEVEL", "info"),
    kafkaBrokers: e.optionalString("KAFKA_BROKERS"),
    kafkaSasl: readKafkaSasl(e),
  };
}

function loadWebhookConfig(e: ReturnType<typeof envReader>): WebhookConfig {
  const timeoutMs = e.int("PAYMENT_WEBHOOK_TIMEOUT_MS", 10_000, { min: 100, max: 120_000 });
  const baseDelayMs = e.int("PAYMENT_WEBHOOK_RETRY_BASE_MS", 1_000, { min: 1, max: 3_600_000 });
  const maxDelayMs = e.int("PAYMENT_WEBHOOK_RETRY_MAX_MS", 300_000, { min: 1, max: 86_400_000 });
  if (maxDelayMs < baseDelayMs) {
    throw new ConfigError(
      `PAYMENT_WEBHOOK_RETRY_MAX_MS (${maxDelayMs}) must not be below PAYMENT_WEBHOOK_RETRY_BASE_MS (${baseDelayMs})`,
    );
  }
  return {
    url: webhookUrl(e),
    ...readPaymentWebhookSecret(e, e.bool("AUTH_DEV_TOKENS", false)),
    timeoutMs,
    retry: {
      baseDelayMs,
      maxDelayMs,
      maxAttempts: e.int("PAYMENT_WEBHOOK_MAX_ATTEMPTS", 1_000, { min: 1 }),
      maxAgeMs: e.int("PAYMENT_WEBHOOK_MAX_AGE_SECONDS", THREE_DAYS_SECONDS, { min: 1 }) * 1_000,
    },
    pollIntervalMs: e.int("PAYMENT_WEBHOOK_POLL_INTERVAL_MS", 500, { min: 10, max: 60_000 }),
  };
}

/** PAYMENT_WEBHOOK_URL, else the gateway's receiver on this machine (GATEWAY_PORT, as the gateway reads it). */
function webhookUrl(e: ReturnType<typeof envReader>): string | undefined {
  const given = e.optionalString("PAYMENT_WEBHOOK_URL");
  if (given !== undefined) {
    if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(given)) {
      throw new ConfigError(`PAYMENT_WEBHOOK_URL must be an http(s) URL, got "${given}"`);
    }
    return given;
  }
  const gatewayPort = e.int("GATEWAY_PORT", defaultPorts.gateway, { min: 0, max: 65535 });
  return gatewayPort === 0 ? undefined : `http://127.0.0.1:${gatewayPort}${PAYMENT_WEBHOOK_PATH}`;
}
