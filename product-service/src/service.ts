import {
  createPostgres,
  type InProcessServices,
  type Logger,
  newTimeOrderedId,
  postgresReadiness,
  type StartedService,
  startService,
} from "@checkout-saga/shared";
import { createInventoryShelfClient } from "./clients/inventory-shelf-client.js";
import type { ProductConfig } from "./config.js";
import { createCatalogAdmin } from "./domain/catalog-admin.js";
import { seedProducts } from "./domain/product.js";
import { productCallPolicy } from "./rpc/product-call-policy.js";
import { productRoutes } from "./rpc/product-routes.js";
import { createPostgresCatalog, preparePostgresCatalog } from "./store/postgres-catalog.js";
import { openSqliteCatalog } from "./store/sqlite-catalog.js";

export type ProductService = StartedService;

/**
 * Opens the catalog — PostgreSQL when PRODUCT_DATABASE_URL is set (production mode), else the
 * SQLite file — migrated and seeded when empty, and serves it; admin writes put a new product's
 * stock in the inventory service. `stop` closes the servers, then the database.
 */
export function startProductService(
  config: ProductConfig,
  logger: Logger,
  deps: { inProcess?: InProcessServices } = {},
): Promise<ProductService> {
  const { databaseUrl } = config;
  return startService({
    inProcess: deps.inProcess,
    name: "product-service",
    logger,
    port: config.port,
    adminPort: config.adminPort,
    credentials: config.credentials,
    migrate: databaseUrl === undefined ? undefined : () => preparePostgresCatalog(databaseUrl, seedProducts),
    compose(scope) {
      const { catalog, database } = openCatalog();
      const admin = createCatalogAdmin({
        catalog,
        stock: createInventoryShelfClient(scope.transport(config.inventoryUrl)),
        now: () => new Date(),
        newId: newTimeOrderedId,
      });
      return {
        routes: productRoutes(catalog, admin, { storeCurrency: config.storeCurrency, logger }),
        callPolicy: productCallPolicy,
        checks: { database },
      };

      function openCatalog() {
        if (databaseUrl !== undefined) {
          const sql = scope.resource(createPostgres(databaseUrl), (pool) => pool.end({ timeout: 5 }));
          return { catalog: createPostgresCatalog(sql), database: postgresReadiness(sql) };
        }
        const sqlite = scope.resource(openSqliteCatalog(config.databasePath, seedProducts), (c) => c.close());
        return { catalog: sqlite, database: { critical: true, check: async () => void (await sqlite.list(1)) } };
      }
    },
  });
}
