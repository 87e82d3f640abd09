import {
  type AdminServer,
  createMetricsRegistry,
  createPostgres,
  type Logger,
  type Running,
  startAdminServer,
  startRpcServer,
} from "@checkout-saga/shared";
import type { InventoryConfig } from "./config.js";
import { type Clock, systemClock } from "./domain/clock.js";
import { seedStock } from "./domain/seed-stock.js";
import { startReservationSweeper } from "./reservation-sweeper.js";
import { inventoryRoutes } from "./rpc/inventory-routes.js";
import { createPostgresInventory } from "./store/postgres-inventory.js";
import { prepareInventoryDatabase } from "./store/prepare-database.js";

export interface InventoryService extends Running {
  readonly port: number;
  /** Where /health and /metrics answer; undefined when the config has no admin port. */
  readonly adminPort?: number;
}

export interface InventoryServiceDeps {
  /** Defaults to the system clock; tests pass one they can move. */
  clock?: Clock;
}

/**
 * Migrates and seeds the database, serves InventoryService and sweeps expired holds.
 * `stop` undoes it in reverse: sweeper, then server (letting calls finish), then the pool.
 */
export async function startInventoryService(
  config: InventoryConfig,
  logger: Logger,
  deps: InventoryServiceDeps = {},
): Promise<InventoryService> {
  await prepareInventoryDatabase(config.databaseUrl, seedStock);
  const sql = createPostgres(config.databaseUrl);
  const metrics = createMetricsRegistry("inventory-service");
  let admin: AdminServer | undefined;
  try {
    const inventory = createPostgresInventory(sql, deps.clock ?? systemClock);
    const server = await startRpcServer({
      port: config.port,
      routes: inventoryRoutes(inventory, { defaultTtlSeconds: config.reservationTtlSeconds }),
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
    const sweeper = startReservationSweeper({ inventory, intervalMs: config.sweepIntervalMs, logger });
    return {
      port: server.port,
      adminPort: admin?.port,
      async stop() {
        await admin?.close();
        await sweeper.stop();
        await server.close();
        await sql.end({ timeout: 5 });
      },
    };
  } catch (err) {
    await sql.end({ timeout: 1 });
    throw err;
  }
}
