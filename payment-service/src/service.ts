import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import {
  type AdminServer,
  createMetricsRegistry,
  createPostgres,
  type Logger,
  migratePostgres,
  type Running,
  startAdminServer,
  startRpcServer,
} from "@checkout-saga/shared";
import type { PaymentConfig } from "./config.js";
import { createPayments } from "./domain/payments.js";
import { paymentRoutes } from "./rpc/payment-routes.js";
import { createPostgresPayments } from "./store/postgres-payments.js";

const migrationsFolder = fileURLToPath(new URL("../drizzle", import.meta.url));
/** Advisory lock serialising migrations of instances starting together (the service's default port, so unique). */
const MIGRATION_LOCK_KEY = 50054;

export interface PaymentService extends Running {
  readonly port: number;
  /** Where /health and /metrics answer; undefined when the config has no admin port. */
  readonly adminPort?: number;
}

/** Migrates the database and serves the mock gateway; `stop` closes the server, then the pool. */
export async function startPaymentService(config: PaymentConfig, logger: Logger): Promise<PaymentService> {
  const sql = createPostgres(config.databaseUrl);
  const metrics = createMetricsRegistry("payment-service");
  let admin: AdminServer | undefined;
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
    const server = await startRpcServer({
      port: config.port,
      routes: paymentRoutes(payments, logger),
      logger,
      metrics,
    });
    if (config.adminPort !== undefined) {
      admin = await startAdminServer({
        port: config.adminPort,
        logger,
        registry: metrics,
        checks: { database: { critical: true, check: async () => void (await sql`select 1`) } },
      }).catch(async (err: unknown) => {
        await server.close();
        throw err;
      });
    }
    return {
      port: server.port,
      adminPort: admin?.port,
      async stop() {
        await admin?.close();
        await server.close();
        await sql.end();
      },
    };
  } catch (err) {
    await sql.end();
    throw err;
  }
}
