import { createPostgres, type Sql } from "@checkout-saga/shared";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { describeCatalogContract } from "../src/store/catalog.contract.js";
import { createPostgresCatalog, preparePostgresCatalog } from "../src/store/postgres-catalog.js";

describeCatalogContract("PostgreSQL", async () => {
  const databaseUrl = await createTestDatabase("catalog");
  const pools: Sql[] = [];
  return {
    async open(seed) {
      await preparePostgresCatalog(databaseUrl, seed);
      const sql = createPostgres(databaseUrl, { max: 2 });
      pools.push(sql);
      return createPostgresCatalog(sql);
    },
    async cleanup() {
      for (const pool of pools) await pool.end();
    },
  };
});
