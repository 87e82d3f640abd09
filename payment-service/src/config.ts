import {
  defaultAdminPorts,
  defaultPorts,
  envReader,
  type RpcCredentialSettings,
  rpcCredentialSettings,
} from "@checkout-saga/shared";
import type { LatencyRange } from "./domain/latency.js";

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
  logLevel: string;
}

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
    logLevel: e.string("LOG_LEVEL", "info"),
  };
}
