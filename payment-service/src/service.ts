import { randomInt } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import {
  type BusReadiness,
  busReadiness,
  consumerMetrics,
  createOutboxSignal,
  createPostgres,
  type EventSubscriber,
  type InProcessServices,
  type Logger,
  migratePostgres,
  postgresReadiness,
  type StartedService,
  startService,
} from "@checkout-saga/shared";
import type { PaymentConfig } from "./config.js";
import { createPayments } from "./domain/payments.js";
import { subscribeToPointsEvents } from "./events/points-events-consumer.js";
import { startKonbiniExpirySweeper } from "./konbini-expiry-sweeper.js";
import { startPointsExpirySweeper } from "./points-expiry-sweeper.js";
import { paymentCallPolicy } from "./rpc/payment-call-policy.js";
import { paymentRoutes } from "./rpc/payment-routes.js";
import { pointsCallPolicy } from "./rpc/points-call-policy.js";
import { pointsRoutes } from "./rpc/points-routes.js";
import { createPostgresPayments } from "./store/postgres-payments.js";
import { createPostgresPoints } from "./store/postgres-points.js";
import { createPostgresWebhookDeliveries } from "./store/postgres-webhook-deliveries.js";
import { startWebhookBacklogGauge } from "./webhooks/webhook-backlog-gauge.js";
import { createWebhookDeliveryWorker } from "./webhooks/webhook-delivery-worker.js";
import { createWebhookMetrics } from "./webhooks/webhook-metrics.js";
import { createWebhookSender } from "./webhooks/webhook-sender.js";

const migrationsFolder = fileURLToPath(new URL("../drizzle", import.meta.url));
/** Advisory lock serialising migrations of instances starting together (the service's default port, so unique). */
const MIGRATION_LOCK_KEY = 50054;
/** How often the pending-webhook gauge is refreshed from the database. */
const GAUGE_REFRESH_MS = 5_000;
/** Deliveries one worker attempts side by side. */
const WEBHOOK_BATCH_SIZE = 20;
/** A claim outlives its attempt's timeout by this much, so a slow but live attempt is never sent twice at once. */
const WEBHOOK_LEASE_MARGIN_MS = 5_000;

export type PaymentService = StartedService;

/**
 * Migrates the database and serves the mock provider and the points ledger: RPCs, the konbini
 * and points expiry sweepers, the webhook delivery worker, and the consumer that earns and takes
 * back points from `deps.events` (the in-process bus in embedded mode, Kafka in production).
 * `stop` closes the servers, then the sweepers, the worker (attempts in flight are cut short and
 * recorded) and the subscription (the event in flight is committed), then the pool.
 */
export function startPaymentService(
  config: PaymentConfig,
  logger: Logger,
  deps: {
    /** Where points are earned from; absent, none are (a test of the RPCs alone). */
    events?: EventSubscriber & Partial<BusReadiness>;
    inProcess?: InProcessServices;
  } = {},
): Promise<PaymentService> {
  return startService({
    inProcess: deps.inProcess,
    name: "payment-service",
    logger,
    port: config.port,
    adminPort: config.adminPort,
    credentials: config.credentials,
    migrate: () => migratePostgres(config.databaseUrl, migrationsFolder, MIGRATION_LOCK_KEY),
    async compose(scope) {
      const sql = scope.resource(createPostgres(config.databaseUrl), (pool) => pool.end());
      const clock = () => new Date();
      const webhookQueued = createOutboxSignal();
      const payments = createPayments({
        store: createPostgresPayments(sql, { onWebhookQueued: webhookQueued.notify }),
        latency: config.latencyMs,
        failureRate: config.failureRate,
        konbiniExpiresAfterSeconds: config.konbini.expiresAfterSeconds,
        random: Math.random,
        randomInt,
        sleep: (ms) => (ms > 0 ? sleep(ms) : Promise.resolve()),
        clock,
      });
      scope.periodic(() => startKonbiniExpirySweeper({ payments, intervalMs: config.konbini.sweepIntervalMs, logger }));

      const points = createPostgresPoints(sql, clock);
      if (deps.events) {
        const subscription = await subscribeToPointsEvents({
          events: deps.events,
          points,
          logger,
          observer: consumerMetrics(scope.metrics),
        });
        scope.background(() => subscription.close());
      }
      scope.periodic(() =>
        startPointsExpirySweeper({ points, intervalMs: config.points.expirySweepIntervalMs, logger }),
      );

      const deliveries = createPostgresWebhookDeliveries(sql);
      const webhookMetrics = createWebhookMetrics(scope.metrics);
      const { webhooks } = config;
      if (webhooks.usesDevSecret)
        logger.warn("webhooks are signed with the built-in dev secret (PAYMENT_WEBHOOK_SECRET)");
      if (webhooks.url === undefined) {
        logger.warn("no PAYMENT_WEBHOOK_URL and no fixed GATEWAY_PORT: webhooks wait in the database, undelivered");
      } else {
        const worker = createWebhookDeliveryWorker(
          {
            deliveries,
            send: createWebhookSender({ url: webhooks.url, secret: webhooks.secret, timeoutMs: webhooks.timeoutMs }),
            signal: webhookQueued,
            metrics: webhookMetrics,
            logger,
            clock,
            random: Math.random,
          },
          {
            batchSize: WEBHOOK_BATCH_SIZE,
            pollIntervalMs: webhooks.pollIntervalMs,
            leaseMs: webhooks.timeoutMs + WEBHOOK_LEASE_MARGIN_MS,
            retry: webhooks.retry,
          },
        );
        worker.start();
        scope.background(() => worker.stop());
      }
      scope.periodic(() =>
        startWebhookBacklogGauge({ deliveries, metrics: webhookMetrics, logger }, { intervalMs: GAUGE_REFRESH_MS }),
      );
      return {
        routes: (router) => {
          paymentRoutes(payments, logger)(router);
          pointsRoutes(points, logger)(router);
        },
        callPolicy: [paymentCallPolicy, pointsCallPolicy],
        // Payments and points answer while the broker is away; only earning waits, so it does not decide readiness.
        checks: { database: postgresReadiness(sql), ...(deps.events ? busReadiness(deps.events) : {}) },
      };
    },
  });
}
