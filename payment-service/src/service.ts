import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { createPostgres, type Logger, migratePostgres, type Running, startRpcServer } from "@checkout-saga/shared";
import type { PaymentConfig } from "./config.js";
import { createPayments } from "./domain/payments.js";
import { paymentRoutes } from "./rpc/payment-routes.js";
import { createPostgresPayments } from "./store/postgres-payments.js";

const migrationsFolder = fileURLToPath(new URL("../drizzle", import.meta.url));
/** Advisory lock serialising migrations of instances starting together (the service's default port, so unique). */
const MIGRATION_LOCK_KEY = 50054;

export interface PaymentService extends Running {
  readonly port: number;
}

/** Migrates the database and serves the mock gateway; `stop` closes the server, then the pool. */
export async function startPaymentService(config: PaymentConfig, logger: Logger): Promise<PaymentService> {
  const sql = createPostgres(config.databaseUrl);
  try {
    await migratePostgres(config.databaseUrl, migrationsFolder, MIGRATION_LOCK_KEY);
    const payments = createPayments({
      store: createPostgresPayments(sql),
      latency: config.latencyMs,
      failureRate: config.failureRate,
      random: Math.random,
      sleep: (ms) => (ms > 0 ? sleep(ms) : Promise.resolve()),
      clock: () => new Date(),
    });
    const server = await startRpcServer({ port: config.port, routes: paymentRoutes(payments, logger), logger });
    return {
      port: server.port,
      async stop() {
        await server.close();
        await sql.end();
      },
    };
  } catch (err) {
    await sql.end();
    throw err;
  }
}
