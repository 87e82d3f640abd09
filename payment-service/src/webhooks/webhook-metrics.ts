import { Counter, Gauge, METRIC_PREFIX, type PaymentWebhookType, type Registry } from "@checkout-saga/shared";

/** What the webhook delivery worker and the backlog gauges report. */
export interface WebhookMetrics {
  /** One attempt ended: taken by the receiver, failed and to be retried, or failed for good (dead). */
  attempted(type: PaymentWebhookType, outcome: "delivered" | "failed" | "dead"): void;
  /** Deliveries pending right now, database-wide. */
  pending(count: number): void;
}

export function createWebhookMetrics(registry: Registry): WebhookMetrics {
  const attempts = new Counter({
    name: `${METRIC_PREFIX}payment_webhook_attempts_total`,
    help: "Webhook delivery attempts by type and outcome: delivered, failed (to be retried), dead (given up).",
    labelNames: ["type", "outcome"] as const,
    registers: [registry],
  });
  const pending = new Gauge({
    name: `${METRIC_PREFIX}payment_webhooks_pending`,
    help: "Webhooks written and not yet delivered nor given up (refreshed every 5 s).",
    registers: [registry],
  });
  return {
    attempted(type, outcome) {
      attempts.inc({ type, outcome });
    },
    pending(count) {
      pending.set(count);
    },
  };
}
