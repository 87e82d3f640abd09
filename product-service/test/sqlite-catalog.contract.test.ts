import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describeCatalogContract } from "../src/store/catalog.contract.js";
import { openSqliteCatalog, type SqliteCatalog } from "../src/store/sqlite-catalog.js";

describeCatalogContract("SQLite", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "catalog-"));
  const opened: SqliteCatalog[] = [];
  return {
    async open(seed) {
      const catalog = openSqliteCatalog(path.join(dir, "nested", "product.db"), seed);
      opened.push(catalog);
      return catalog;
    },
    async cleanup() {
      for (const c of opened) c.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
