import {
  createPostgres,
  type InProcessServices,
  type Logger,
  postgresReadiness,
  type StartedService,
  startService,
} from "@checkout-saga/shared";
import type { InventoryConfig } from "./config.js";
import { type Clock, systemClock } from "./domain/clock.js";
import { seedStock } from "./domain/seed-stock.js";
import { startReservationSweeper } from "./reservation-sweeper.js";
import { inventoryCallPolicy } from "./rpc/inventory-call-policy.js";
import { inventoryRoutes } from "./rpc/inventory-routes.js";
import { createPostgresInventory } from "./store/postgres-inventory.js";
import { prepareInventoryDatabase } from "./store/prepare-database.js";

export type InventoryService = StartedService;

export interface InventoryServiceDeps {
  /** Defaults to the system clock; tests pass one they can move. */
  clock?: Clock;
  /** Embedded mode: where services in this process call each other without the network. */
  inProcess?: InProcessServices;
}

/**
 * Migrates and seeds the database, serves InventoryService and sweeps expired holds.
 * `stop` undoes it in reverse: servers (letting calls finish), sweeper, then the pool.
 */
export function startInventoryService(
  config: InventoryConfig,
  logger: Logger,
  deps: InventoryServiceDeps = {},
): Promise<InventoryService> {
  return startService({
    inProcess: deps.inProcess,
    name: "inventory-service",
    logger,
    port: config.port,
    adminPort: config.adminPort,
    credentials: config.credentials,
    migrate: () => prepareInventoryDatabase(config.databaseUrl, seedStock),
    compose(scope) {
      const sql = scope.resource(createPostgres(config.databaseUrl), (pool) => pool.end({ timeout: 5 }));
      const inventory = createPostgresInventory(sql, deps.clock ?? systemClock);
      scope.periodic(() => startReservationSweeper({ inventory, intervalMs: config.sweepIntervalMs, logger }));
      return {
        routes: inventoryRoutes(inventory, { defaultTtlSeconds: config.reservationTtlSeconds, logger }),
        callPolicy: inventoryCallPolicy,
        checks: { database: postgresReadiness(sql) },
      };
    },
  });
}
