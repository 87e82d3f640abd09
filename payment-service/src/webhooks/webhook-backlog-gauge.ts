import { type Logger, type Running, startPeriodicTask } from "@checkout-saga/shared";
import type { WebhookDeliveryStore } from "../domain/webhook-delivery.js";
import type { WebhookMetrics } from "./webhook-metrics.js";

/**
 * Refreshes the pending-webhook gauge every `intervalMs` (and once at start) from one count on
 * the partial index of pending rows, so its cost follows the backlog, never the table. Every
 * instance reports the same database-wide figure (dashboards take max, not sum). A failed
 * refresh keeps the last figure and is logged.
 */
export function startWebhookBacklogGauge(
  deps: { deliveries: Pick<WebhookDeliveryStore, "pendingCount">; metrics: WebhookMetrics; logger: Logger },
  options: { intervalMs: number },
): Running {
  return startPeriodicTask(async () => deps.metrics.pending(await deps.deliveries.pendingCount()), {
    intervalMs: options.intervalMs,
    onError: (err) => deps.logger.warn({ err }, "refreshing the pending webhook gauge failed"),
  });
}
