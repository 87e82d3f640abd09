import { setMaxListeners } from "node:events";
import {
  type BusReadiness,
  createMetricsRegistry,
  createOutboxRelay,
  createOutboxRetention,
  createOutboxSignal,
  createPostgres,
  type EventPublisher,
  type Logger,
  type ReadinessCheck,
  type Running,
  startAdminServer,
  startRpcServer,
} from "@checkout-saga/shared";
import { createCartClient } from "./clients/cart-client.js";
import { createCatalogClient } from "./clients/catalog-client.js";
import { DOWNSTREAMS, downstreamBreakers } from "./clients/downstream-breakers.js";
import { downstreamReadiness } from "./clients/downstream-readiness.js";
import { createInventoryClient } from "./clients/inventory-client.js";
import { createPaymentClient } from "./clients/payment-client.js";
import type { CheckoutConfig } from "./config.js";
import { startCheckoutGauges } from "./metrics/checkout-gauges.js";
import { createCheckoutMetrics } from "./metrics/checkout-metrics.js";
import { encodeInitiateResponse } from "./rpc/checkout-message.js";
import { checkoutRoutes } from "./rpc/checkout-routes.js";
import { createCheckoutCommands } from "./saga/checkout-commands.js";
import { startCheckoutRecovery } from "./saga/checkout-recovery.js";
import { createCheckoutSaga, DEFAULT_STEP_POLICIES } from "./saga/checkout-saga.js";
import { crashAt, noFaults } from "./saga/saga-faults.js";
import { migrateCheckoutDatabase } from "./store/migrate-checkout-database.js";
import { createPostgresCheckoutStore } from "./store/postgres-checkout-store.js";

export interface CheckoutServiceDeps {
  /** Where the outbox relay hands events: the in-process bus in embedded mode, Kafka in production. */
  events: EventPublisher & Partial<BusReadiness>;
}

export interface CheckoutService extends Running {
  readonly port: number;
  /** Where /health and /metrics answer; undefined when the config has no admin port. */
  readonly adminPort?: number;
}

/** Cart and catalog lookups happen while the customer waits: short deadline, few retries. */
const LOOKUP_TIMEOUT_MS = 10_000;
const LOOKUP_RETRY = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 };
const COMPENSATION_RETRY = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 };
/** How often published outbox rows past retention are swept. */
const OUTBOX_RETENTION_SWEEP_MS = 10 * 60_000;
/** How often the outbox and needs-attention gauges are refreshed from the database. */
const GAUGE_REFRESH_MS = 5_000;

/**
 * Composition root: database, downstream clients, store, saga, RPC server, recovery loop and
 * outbox relay. `stop` ends them in reverse: server (in-flight calls finish), drivers,
 * recovery, relay (its batch in flight finishes), pool.
 */
export async function startCheckoutService(
  config: CheckoutConfig,
  logger: Logger,
  deps: CheckoutServiceDeps,
): Promise<CheckoutService> {
  const sql = createPostgres(config.databaseUrl);
  const stopping = new AbortController();
  // Every drive in flight listens for the stop: hundreds at a time is normal, not a leak.
  setMaxListeners(0, stopping.signal);
  const started: Array<() => Promise<void>> = [async () => void (await sql.end({ timeout: 5 }))];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop();
  };
  try {
    await migrateCheckoutDatabase(config.databaseUrl);
    const registry = createMetricsRegistry("checkout-service");
    const metrics = createCheckoutMetrics(registry, DOWNSTREAMS);
    const outboxSignal = createOutboxSignal();
    const store = createPostgresCheckoutStore(sql, { leaseMs: config.leaseMs, outboxSignal });
    const breakers = downstreamBreakers(
      { failureThreshold: config.breakerFailures, cooldownMs: config.breakerCooldownMs },
      logger,
      metrics.breakerChanged,
    );
    if (config.crashAt)
      logger.warn({ crashAt: config.crashAt }, "CHECKOUT_CRASH_AT is set: this process will SIGKILL itself");
    const cart = createCartClient(config.cartUrl, LOOKUP_TIMEOUT_MS, LOOKUP_RETRY, breakers.cart);
    const saga = createCheckoutSaga({
      store,
      cart,
      inventory: createInventoryClient(config.inventoryUrl, config.inventoryTimeoutMs, breakers.inventory),
      payments: createPaymentClient(config.paymentUrl, config.paymentTimeoutMs, breakers.payment),
      clock: { now: () => new Date() },
      logger,
      settings: {
        leaseMs: config.leaseMs,
        paymentDeadlineMs: config.paymentDeadlineMs,
        steps: DEFAULT_STEP_POLICIES,
        compensationRetry: COMPENSATION_RETRY,
      },
      signal: stopping.signal,
      faults: config.crashAt ? crashAt(config.crashAt) : noFaults,
      observer: metrics.saga,
    });
    const drivers = { store, saga, encodeResponse: encodeInitiateResponse, logger };
    const commands = createCheckoutCommands({
      ...drivers,
      cart,
      catalog: createCatalogClient(config.productUrl, LOOKUP_TIMEOUT_MS, LOOKUP_RETRY, breakers.product),
      stepModeEnabled: config.stepModeEnabled,
    });

    const relay = createOutboxRelay(
      { sql, publisher: deps.events, signal: outboxSignal, logger, onPublished: metrics.outboxPublished },
      { batchSize: config.outboxBatchSize, pollIntervalMs: config.outboxPollIntervalMs },
    );
    relay.start();
    started.push(() => relay.stop());
    const retention = createOutboxRetention(
      { sql, logger },
      { retentionDays: config.outboxRetentionDays, intervalMs: OUTBOX_RETENTION_SWEEP_MS },
    );
    retention.start();
    started.push(() => retention.stop());
    const gauges = startCheckoutGauges({ sql, gauges: metrics.gauges, logger }, { intervalMs: GAUGE_REFRESH_MS });
    started.push(() => gauges.stop());

    const recovery = startCheckoutRecovery(drivers, {
      intervalMs: config.recoveryIntervalMs,
      graceMs: config.recoveryGraceMs,
      attentionRetryMs: config.attentionRetryMs,
    });
    started.push(async () => {
      stopping.abort();
      await recovery.stop();
    });

    const server = await startRpcServer({
      port: config.port,
      routes: checkoutRoutes({ commands, store }),
      logger,
      metrics: registry,
    });
    started.push(() => server.close());
    let adminPort: number | undefined;
    if (config.adminPort !== undefined) {
      const checks: Record<string, ReadinessCheck> = {
        database: { critical: true, check: async () => void (await sql`select 1`) },
        ...downstreamReadiness(config),
      };
      // Checkouts go on while the broker is away (events wait in the outbox): reported, not deciding.
      const kafkaReady = deps.events.ready?.bind(deps.events);
      if (kafkaReady) checks.kafka = { critical: false, check: kafkaReady };
      const admin = await startAdminServer({ port: config.adminPort, logger, registry, checks });
      started.push(() => admin.close());
      adminPort = admin.port;
    }
    logger.info({ port: server.port, adminPort, stepMode: config.stepModeEnabled }, "checkout service started");
    return { port: server.port, adminPort, stop: stopAll };
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }
}
