import { type Logger, type Running, startPeriodicTask } from "@checkout-saga/shared";
import type { WebhookDeliveryStore } from "../domain/webhook-delivery.js";
import type { WebhookMetrics } from "./webhook-metrics.js";

/**
 * Refreshes the pending-webhook gauges every `intervalMs` (and once at start) from one query on
 * the partial index of pending rows, so its cost follows the backlog, never the table. Every
 * instance reports the same database-wide figures (dashboards take max, not sum). A failed
 * refresh keeps the last figures and is logged.
 */
export function startWebhookBacklogGauges(
  deps: { deliveries: Pick<WebhookDeliveryStore, "backlog">; metrics: WebhookMetrics; logger: Logger },
  options: { intervalMs: number },
): Running {
  return startPeriodicTask(async () => deps.metrics.backlog(await deps.deliveries.backlog(new Date())), {
    intervalMs: options.intervalMs,
    onError: (err) => deps.logger.warn({ err }, "refreshing the pending webhook gauges failed"),
  });
}
