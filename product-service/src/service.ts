import {
  type AdminServer,
  createMetricsRegistry,
  type Logger,
  type Running,
  startAdminServer,
  startRpcServer,
} from "@checkout-saga/shared";
import type { ProductConfig } from "./config.js";
import { seedProducts } from "./domain/product.js";
import { productRoutes } from "./rpc/product-routes.js";
import { openSqliteCatalog } from "./store/sqlite-catalog.js";

export interface ProductService extends Running {
  readonly port: number;
  /** Where /health and /metrics answer; undefined when the config has no admin port. */
  readonly adminPort?: number;
}

/** Opens the catalog and serves it; `stop` closes the servers, then the database. */
export async function startProductService(config: ProductConfig, logger: Logger): Promise<ProductService> {
  const catalog = openSqliteCatalog(config.databasePath, seedProducts);
  const metrics = createMetricsRegistry("product-service");
  let admin: AdminServer | undefined;
  try {
    const server = await startRpcServer({ port: config.port, routes: productRoutes(catalog), logger, metrics });
    if (config.adminPort !== undefined) {
      admin = await startAdminServer({
        port: config.adminPort,
        logger,
        registry: metrics,
        checks: { database: { critical: true, check: async () => void (await catalog.list(1)) } },
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
        catalog.close();
      },
    };
  } catch (err) {
    catalog.close();
    throw err;
  }
}
