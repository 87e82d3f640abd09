import { type Logger, type Running, startRpcServer } from "@checkout-saga/shared";
import type { ProductConfig } from "./config.js";
import { seedProducts } from "./domain/product.js";
import { productRoutes } from "./rpc/product-routes.js";
import { openSqliteCatalog } from "./store/sqlite-catalog.js";

export interface ProductService extends Running {
  readonly port: number;
}

/** Opens the catalog and serves it; `stop` closes the server, then the database. */
export async function startProductService(config: ProductConfig, logger: Logger): Promise<ProductService> {
  const catalog = openSqliteCatalog(config.databasePath, seedProducts);
  const server = await startRpcServer({ port: config.port, routes: productRoutes(catalog), logger });
  return {
    port: server.port,
    async stop() {
      await server.close();
      catalog.close();
    },
  };
}
