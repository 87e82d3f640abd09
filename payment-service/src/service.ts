import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import {
  createPostgres,
  type InProcessServices,
  type Logger,
  migratePostgres,
  postgresReadiness,
  type StartedService,
  startService,
} from "@checkout-saga/shared";
import type { PaymentConfig } from "./config.js";
import { createPayments } from "./domain/payments.js";
import { paymentCallPolicy } from "./rpc/payment-call-policy.js";
import { paymentRoutes } from "./rpc/payment-routes.js";
import { createPostgresPayments } from "./store/postgres-payments.js";

const migrationsFolder = fileURLToPath(new URL("../drizzle", import.meta.url));
/** Advisory lock serialising migrations of instances starting together (the service's default port, so unique). */
const MIGRATION_LOCK_KEY = 50054;

export type PaymentService = StartedService;

/** Migrates the database and serves the mock gateway; `stop` closes the servers, then the pool. */
export function startPaymentService(
  config: PaymentConfig,
  logger: Logger,
  deps: { inProcess?: InProcessServices } = {},
): Promise<PaymentService> {
  return startService({
    inProcess: deps.inProcess,
    name: "payment-service",
    logger,
    port: config.port,
    adminPort: config.adminPort,
    credentials: config.credentials,
    migrate: () => migratePostgres(config.databaseUrl, migrationsFolder, MIGRATION_LOCK_KEY),
    compose(scope) {
      const sql = scope.resource(createPostgres(config.databaseUrl), (pool) => pool.end());
      const payments = createPayments({
        store: createPostgresPayments(sql),
        latency: config.latencyMs,
        failureRate: config.failureRate,
        random: Math.random,
        sleep: (ms) => (ms > 0 ? sleep(ms) : Promise.resolve()),
        clock: () => new Date(),
      });
      return {
        routes: paymentRoutes(payments, logger),
        callPolicy: paymentCallPolicy,
        checks: { database: postgresReadiness(sql) },
      };
    },
  });
}
