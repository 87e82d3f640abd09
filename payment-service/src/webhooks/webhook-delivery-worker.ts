import { backoffDelay, type Logger, type OutboxSignal, type Running, sleep } from "@checkout-saga/shared";
import type { RandomSource } from "../domain/charge-outcome.js";
import {
  afterFailedAttempt,
  type WebhookDelivery,
  type WebhookDeliveryStore,
  type WebhookRetryPolicy,
} from "../domain/webhook-delivery.js";
import type { WebhookMetrics } from "./webhook-metrics.js";
import type { WebhookSender } from "./webhook-sender.js";

export interface WebhookDeliveryWorkerOptions {
  /** Deliveries claimed, and attempted side by side, per round. */
  batchSize: number;
  /** The longest the worker sleeps when nothing rang: retries come due, other instances write rows. */
  pollIntervalMs: number;
  /** How long a claim hides a delivery from other workers; longer than one attempt's timeout. */
  leaseMs: number;
  retry: WebhookRetryPolicy;
}

export interface WebhookDeliveryWorkerDeps {
  deliveries: WebhookDeliveryStore;
  send: WebhookSender;
  /** Rung by the payment store after it committed a webhook, so this process sends it at once. */
  signal: OutboxSignal;
  metrics: WebhookMetrics;
  logger: Logger;
  clock: () => Date;
  random: RandomSource;
}

/** A running worker: `start` its loop, `stop` it (attempts in flight are cut short and recorded). */
export interface WebhookDeliveryWorker extends Running {
  start(): void;
  /** One round: claims what is due, attempts it, records each outcome; returns how many it claimed. */
  deliverDue(): Promise<number>;
}

/** Pause after the database failed a round: short at first, never longer than the poll interval. */
const DATABASE_RETRY = { baseDelayMs: 100 };

/**
 * Delivers the provider's webhooks at least once. Each round claims the due deliveries (see
 * WebhookDeliveryStore.claimDue), POSTs them side by side, and records each outcome: delivered,
 * or failed with the next attempt after the retry policy's backoff, or dead once the policy gives
 * up — logged as an error and counted, never dropped in silence (the row stays). A crash between
 * the POST and the record leaves the delivery claimed until its lease ends; then it is sent
 * again under the same webhook-id, which the receiver dedupes.
 */
export function createWebhookDeliveryWorker(
  deps: WebhookDeliveryWorkerDeps,
  options: WebhookDeliveryWorkerOptions,
): WebhookDeliveryWorker {
  const { deliveries, logger, metrics } = deps;
  const stopping = new AbortController();
  let loop: Promise<void> | undefined;

  async function attempt(delivery: WebhookDelivery): Promise<void> {
    const result = await deps.send(delivery, stopping.signal);
    const at = deps.clock();
    const context = {
      webhookId: delivery.id,
      paymentId: delivery.paymentId,
      type: delivery.type,
      attempts: delivery.attempts,
    };
    if (result.delivered) {
      await deliveries.recordDelivered(delivery, at);
      metrics.attempted(delivery.type, "delivered");
      logger.info(context, "webhook delivered");
      return;
    }
    const next = afterFailedAttempt(delivery, at, options.retry, deps.random);
    await deliveries.recordFailed(delivery, result.error, at, next);
    if ("retryAt" in next) {
      metrics.attempted(delivery.type, "failed");
      logger.warn({ ...context, error: result.error, retryAt: next.retryAt }, "webhook not taken; will retry");
    } else {
      metrics.attempted(delivery.type, "dead");
      logger.error(
        { ...context, error: result.error, reason: next.deadBecause },
        "webhook given up: dead, kept in webhook_deliveries",
      );
    }
  }

  async function deliverDue(): Promise<number> {
    const now = deps.clock();
    const claimed = await deliveries.claimDue(now, options.batchSize, new Date(now.getTime() + options.leaseMs));
    // Every attempt is recorded even if another's record fails; the first failure is then raised.
    const settled = await Promise.allSettled(claimed.map(attempt));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    return claimed.length;
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping.signal.aborted) {
      try {
        const claimed = await deliverDue();
        failures = 0;
        // A full batch means more may be due: go again at once.
        if (claimed >= options.batchSize) continue;
        await deps.signal.wait(options.pollIntervalMs);
      } catch (err) {
        failures++;
        const delay = backoffDelay(failures, { ...DATABASE_RETRY, maxDelayMs: options.pollIntervalMs });
        logger.warn({ err, failures }, "delivering webhooks failed; retrying");
        await sleep(delay, stopping.signal).catch(() => {});
      }
    }
  }

  return {
    deliverDue,
    start() {
      loop ??= run();
    },
    async stop() {
      stopping.abort();
      deps.signal.notify(); // wakes a waiting loop; attempts in flight end as interrupted
      await loop;
    },
  };
}
