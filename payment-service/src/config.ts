import { defaultPorts, envReader } from "@checkout-saga/shared";
import type { LatencyRange } from "./domain/latency.js";

export interface PaymentConfig {
  port: number;
  /** PostgreSQL database holding the payments. */
  databaseUrl: string;
  /** Simulated processing time per new charge. */
  latencyMs: LatencyRange;
  /** Probability (0..1) that a new charge is declined with `processing_error`. */
  failureRate: number;
  logLevel: string;
}

export function loadPaymentConfig(env: Record<string, string | undefined>): PaymentConfig {
  const e = envReader(env);
  return {
    port: e.int("PAYMENT_PORT", defaultPorts.payment, { min: 0, max: 65535 }),
    databaseUrl: e.string("PAYMENT_DATABASE_URL"),
    latencyMs: e.msRange("PAYMENT_LATENCY_MS", "0"),
    failureRate: e.number("PAYMENT_FAILURE_RATE", 0, { min: 0, max: 1 }),
    logLevel: e.string("LOG_LEVEL", "info"),
  };
}
