import { type InProcessServices, type Logger, type StartedService, startService } from "@checkout-saga/shared";
import type { ProductConfig } from "./config.js";
import { seedProducts } from "./domain/product.js";
import { productCallPolicy } from "./rpc/product-call-policy.js";
import { productRoutes } from "./rpc/product-routes.js";
import { openSqliteCatalog } from "./store/sqlite-catalog.js";

export type ProductService = StartedService;

/** Opens the catalog (migrated and seeded on open) and serves it; `stop` closes the servers, then the database. */
export function startProductService(
  config: ProductConfig,
  logger: Logger,
  deps: { inProcess?: InProcessServices } = {},
): Promise<ProductService> {
  return startService({
    inProcess: deps.inProcess,
    name: "product-service",
    logger,
    port: config.port,
    adminPort: config.adminPort,
    credentials: config.credentials,
    compose(scope) {
      const catalog = scope.resource(openSqliteCatalog(config.databasePath, seedProducts), (c) => c.close());
      return {
        routes: productRoutes(catalog, { storeCurrency: config.storeCurrency }),
        callPolicy: productCallPolicy,
        checks: { database: { critical: true, check: async () => void (await catalog.list(1)) } },
      };
    },
  });
}
