import {
  type BusReadiness,
  busReadiness,
  CHECKOUT_EVENTS_TOPIC,
  consumerMetrics,
  createOutboxQueries,
  createOutboxRelay,
  createOutboxRetention,
  createOutboxSignal,
  createPostgres,
  defaultPorts,
  type EventPublisher,
  type EventSubscriber,
  type InProcessServices,
  type Logger,
  postgresReadiness,
  type StartedService,
  startSagaRecovery,
  startService,
  tracedEventHandler,
} from "@checkout-saga/shared";
import { createCancellationCommands, driveLeased } from "./cancellation/cancellation-commands.js";
import { crashAt } from "./cancellation/cancellation-faults.js";
import { createCancellationSaga, DEFAULT_STEP_POLICY } from "./cancellation/cancellation-saga.js";
import { createInventoryClient } from "./clients/inventory-client.js";
import { createPaymentClient } from "./clients/payment-client.js";
import { createPointsClient } from "./clients/points-client.js";
import { DEFAULT_CANCELLATION, DEFAULT_ORDERS_OUTBOX, type OrdersConfig } from "./config.js";
import { createOrderFromCheckoutHandler } from "./events/create-order-from-checkout.js";
import { encodeCancelResponse } from "./rpc/cancel-order.js";
import { ordersCallPolicy } from "./rpc/orders-call-policy.js";
import { ordersRoutes } from "./rpc/orders-routes.js";
import { migrateOrdersDatabase } from "./store/migrate-orders-database.js";
import { createPostgresCancellationStore } from "./store/postgres-cancellation-store.js";
import { createPostgresOrderStore } from "./store/postgres-order-store.js";

export type OrdersService = StartedService;

/** The consumer group that turns completed checkouts into orders. */
export const ORDERS_CONSUMER_GROUP = "orders-service";

/** How often published outbox rows past retention are swept. */
const OUTBOX_RETENTION_SWEEP_MS = 10 * 60_000;

/**
 * Migrates the database, serves OrdersService, consumes checkout events from `deps.events`,
 * runs the cancellation saga (refunds and points returns through the payment service, stock
 * returns through inventory) with its recovery loop, and relays its own outbox (order-events) to the same bus:
 * the in-process one in embedded mode, Kafka in production. `stop` closes the servers, then
 * recovery (drivers stop), the relay and retention (the batch in flight finishes), then the
 * subscription (the order in flight is committed), then the pool.
 */
export function startOrdersService(
  config: OrdersConfig,
  logger: Logger,
  deps: { events: EventSubscriber & EventPublisher & Partial<BusReadiness>; inProcess?: InProcessServices },
): Promise<OrdersService> {
  const outbox = config.outbox ?? DEFAULT_ORDERS_OUTBOX;
  return startService({
    inProcess: deps.inProcess,
    name: "orders-service",
    logger,
    port: config.port,
    adminPort: config.adminPort,
    credentials: config.credentials,
    migrate: () => migrateOrdersDatabase(config.databaseUrl),
    async compose(scope) {
      const sql = scope.resource(createPostgres(config.databaseUrl), (pool) => pool.end());
      const outboxSignal = createOutboxSignal();
      const orders = createPostgresOrderStore(sql, { outboxSignal });
      const settings = config.cancellation ?? DEFAULT_CANCELLATION;
      if (config.crashAt)
        logger.warn({ crashAt: config.crashAt }, "ORDERS_CRASH_AT is set: this process will SIGKILL itself");
      const stopping = new AbortController();
      const cancellationStore = createPostgresCancellationStore(sql, { leaseMs: settings.leaseMs, outboxSignal });
      // The payment service serves both the refunds and the points ledger.
      const payment = scope.transport(config.paymentUrl ?? `http://127.0.0.1:${defaultPorts.payment}`);
      const saga = createCancellationSaga({
        store: cancellationStore,
        payments: createPaymentClient(payment, settings.callTimeoutMs),
        points: createPointsClient(payment, settings.callTimeoutMs),
        inventory: createInventoryClient(
          scope.transport(config.inventoryUrl ?? `http://127.0.0.1:${defaultPorts.inventory}`),
          settings.callTimeoutMs,
        ),
        clock: { now: () => new Date() },
        logger,
        leaseMs: settings.leaseMs,
        policy: { ...DEFAULT_STEP_POLICY, deadlineMs: settings.stepDeadlineMs },
        signal: stopping.signal,
        faults: config.crashAt ? crashAt(config.crashAt) : undefined,
      });
      const drivers = { store: cancellationStore, saga, logger };
      const cancellations = createCancellationCommands({
        ...drivers,
        clock: { now: () => new Date() },
        encodeResponse: encodeCancelResponse,
      });
      const subscription = await deps.events.subscribe({
        topic: CHECKOUT_EVENTS_TOPIC,
        group: ORDERS_CONSUMER_GROUP,
        handler: tracedEventHandler(ORDERS_CONSUMER_GROUP, createOrderFromCheckoutHandler({ orders, logger })),
        observer: consumerMetrics(scope.metrics),
      });
      scope.background(() => subscription.close());
      const relay = createOutboxRelay(
        { sql, publisher: deps.events, signal: outboxSignal, logger },
        { batchSize: outbox.batchSize, pollIntervalMs: outbox.pollIntervalMs },
      );
      relay.start();
      scope.background(() => relay.stop());
      scope.periodic(() =>
        createOutboxRetention(
          { sql, logger },
          { retentionDays: outbox.retentionDays, intervalMs: OUTBOX_RETENTION_SWEEP_MS },
        ).start(),
      );
      scope.periodic(() => {
        const recovery = startSagaRecovery(
          {
            name: "cancellation",
            idField: "cancellationId",
            store: drivers.store,
            drive: (id, owner) => driveLeased(drivers, id, owner),
            logger,
          },
          {
            intervalMs: settings.recoveryIntervalMs,
            graceMs: settings.recoveryGraceMs,
            attentionRetryMs: settings.attentionRetryMs,
          },
        );
        return {
          async stop() {
            stopping.abort();
            await recovery.stop();
          },
        };
      });
      return {
        routes: ordersRoutes(orders, cancellations, createOutboxQueries(sql), logger),
        callPolicy: ordersCallPolicy,
        // Orders are read while the broker is away; only new ones wait, so it does not decide readiness.
        checks: { database: postgresReadiness(sql), ...busReadiness(deps.events) },
      };
    },
  });
}
