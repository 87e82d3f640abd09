import { setMaxListeners } from "node:events";
import {
  type BusReadiness,
  busReadiness,
  createOutboxQueries,
  createOutboxRelay,
  createOutboxRetention,
  createOutboxSignal,
  createPostgres,
  createRetentionSweep,
  DEFAULT_COMPENSATION_POLICY,
  type DeadLetters,
  type EventPublisher,
  type InProcessServices,
  type Logger,
  postgresReadiness,
  type ServiceParts,
  type ServiceScope,
  type StartedService,
  startSagaRecovery,
  startService,
} from "@checkout-saga/shared";
import { createCartClient } from "./clients/cart-client.js";
import { createCatalogClient } from "./clients/catalog-client.js";
import { DOWNSTREAMS, downstreamBreakers } from "./clients/downstream-breakers.js";
import { downstreamReadiness } from "./clients/downstream-readiness.js";
import { createInventoryClient } from "./clients/inventory-client.js";
import { createPaymentClient } from "./clients/payment-client.js";
import { createPointsClient } from "./clients/points-client.js";
import type { CheckoutConfig } from "./config.js";
import { startCheckoutGauges } from "./metrics/checkout-gauges.js";
import { createCheckoutMetrics } from "./metrics/checkout-metrics.js";
import { checkoutCallPolicy } from "./rpc/checkout-call-policy.js";
import { encodeInitiateResponse } from "./rpc/checkout-message.js";
import { checkoutRoutes } from "./rpc/checkout-routes.js";
import { createCheckoutCommands, driveLeased } from "./saga/checkout-commands.js";
import { createCheckoutSaga, DEFAULT_STEP_POLICIES } from "./saga/checkout-saga.js";
import { createPaymentNotifications } from "./saga/payment-notifications.js";
import { crashAt, noFaults } from "./saga/saga-faults.js";
import { migrateCheckoutDatabase } from "./store/migrate-checkout-database.js";
import { createPostgresCheckoutStore } from "./store/postgres-checkout-store.js";

export interface CheckoutServiceDeps {
  /** Where the outbox relay hands events: the in-process bus in embedded mode, Kafka in production. */
  events: EventPublisher & Partial<BusReadiness>;
  /** Where consumers of those events park what they give up on: the same bus's, read for operators. */
  deadLetters: DeadLetters;
  /** Embedded mode: where services in this process call each other without the network. */
  inProcess?: InProcessServices;
}

export type CheckoutService = StartedService;

/** Cart and catalog lookups happen while the customer waits: short deadline, few retries. */
const LOOKUP_TIMEOUT_MS = 10_000;
const LOOKUP_RETRY = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 };
/** How often published outbox rows and processed payment notifications past retention are swept. */
const RETENTION_SWEEP_MS = 10 * 60_000;
/** How often the outbox and needs-attention gauges are refreshed from the database. */
const GAUGE_REFRESH_MS = 5_000;

/**
 * Composition root: database, downstream clients, store, saga, outbox relay, retention sweeps
 * (outbox, payment notifications), recovery loop and gauges. `stop` ends them in reverse:
 * servers (in-flight calls finish), recovery (drivers stop), gauges, retention sweeps, relay
 * (its batch in flight finishes), pool.
 */
export async function startCheckoutService(
  config: CheckoutConfig,
  logger: Logger,
  deps: CheckoutServiceDeps,
): Promise<CheckoutService> {
  const stopping = new AbortController();
  // Every drive in flight listens for the stop: hundreds at a time is normal, not a leak.
  setMaxListeners(0, stopping.signal);
  const service = await startService({
    inProcess: deps.inProcess,
    name: "checkout-service",
    logger,
    port: config.port,
    adminPort: config.adminPort,
    credentials: config.credentials,
    migrate: () => migrateCheckoutDatabase(config.databaseUrl),
    compose,
  });
  const { port, adminPort } = service;
  logger.info({ port, adminPort, stepMode: config.stepModeEnabled }, "checkout service started");
  return service;

  function compose(scope: ServiceScope): ServiceParts {
    const sql = scope.resource(createPostgres(config.databaseUrl), (pool) => pool.end({ timeout: 5 }));
    const registry = scope.metrics;
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
    const cart = createCartClient(scope.transport(config.cartUrl, breakers.cart), LOOKUP_TIMEOUT_MS, LOOKUP_RETRY);
    const clock = { now: () => new Date() };
    // The points ledger lives in the payment service's process: one transport, one breaker.
    const paymentTransport = scope.transport(config.paymentUrl, breakers.payment);
    const payments = createPaymentClient(paymentTransport, config.paymentTimeoutMs);
    const saga = createCheckoutSaga({
      store,
      cart,
      points: createPointsClient(paymentTransport, config.paymentTimeoutMs),
      inventory: createInventoryClient(
        scope.transport(config.inventoryUrl, breakers.inventory),
        config.inventoryTimeoutMs,
      ),
      payments,
      clock,
      logger,
      settings: {
        leaseMs: config.leaseMs,
        paymentDeadlineMs: config.paymentDeadlineMs,
        konbiniExpiresAfterMs: config.konbiniExpiresAfterSeconds * 1_000,
        paymentMarginMs: config.paymentMarginSeconds * 1_000,
        steps: {
          ...DEFAULT_STEP_POLICIES,
          prepare: { ...DEFAULT_STEP_POLICIES.prepare, deadlineMs: config.reserveDeadlineMs },
          charge: { ...DEFAULT_STEP_POLICIES.charge, deadlineMs: config.chargeDeadlineMs },
        },
        compensationRetry: { ...DEFAULT_COMPENSATION_POLICY, transientPatienceMs: config.compensationPatienceMs },
      },
      signal: stopping.signal,
      faults: config.crashAt ? crashAt(config.crashAt) : noFaults,
      observer: metrics.saga,
      encodeResponse: encodeInitiateResponse,
    });
    const drivers = { store, saga, encodeResponse: encodeInitiateResponse, logger };
    const commands = createCheckoutCommands({
      ...drivers,
      cart,
      catalog: createCatalogClient(
        scope.transport(config.productUrl, breakers.product),
        LOOKUP_TIMEOUT_MS,
        LOOKUP_RETRY,
      ),
      clock,
      stepModeEnabled: config.stepModeEnabled,
    });

    const relay = createOutboxRelay(
      { sql, publisher: deps.events, signal: outboxSignal, logger, onPublished: metrics.outboxPublished },
      { batchSize: config.outboxBatchSize, pollIntervalMs: config.outboxPollIntervalMs },
    );
    relay.start();
    scope.background(() => relay.stop());
    scope.periodic(() =>
      createOutboxRetention(
        { sql, logger },
        { retentionDays: config.outboxRetentionDays, intervalMs: RETENTION_SWEEP_MS },
      ).start(),
    );
    scope.periodic(() =>
      createRetentionSweep(
        { logger, what: "payment notifications", deleteBatch: (batch) => store.deleteProcessedNotifications(batch) },
        { retentionDays: config.notificationRetentionDays, intervalMs: RETENTION_SWEEP_MS },
      ).start(),
    );
    scope.periodic(() =>
      startCheckoutGauges({ sql, gauges: metrics.gauges, logger }, { intervalMs: GAUGE_REFRESH_MS }),
    );

    scope.periodic(() => {
      const recovery = startSagaRecovery(
        {
          name: "checkout",
          idField: "checkoutId",
          store: drivers.store,
          drive: (id, owner) => driveLeased(drivers, id, owner, Number.POSITIVE_INFINITY),
          logger,
        },
        {
          intervalMs: config.recoveryIntervalMs,
          graceMs: config.recoveryGraceMs,
          attentionRetryMs: config.attentionRetryMs,
        },
      );
      return {
        async stop() {
          stopping.abort();
          await recovery.stop();
        },
      };
    });

    const outbox = createOutboxQueries(sql);
    return {
      routes: checkoutRoutes({
        commands,
        notifications: createPaymentNotifications({ ...drivers, payments }),
        store,
        outbox,
        deadLetters: deps.deadLetters,
        logger,
      }),
      callPolicy: checkoutCallPolicy,
      checks: {
        database: postgresReadiness(sql),
        ...downstreamReadiness(config, scope.transport),
        // Checkouts go on while the broker is away (events wait in the outbox): reported, not deciding.
        ...busReadiness(deps.events),
      },
    };
  }
}
