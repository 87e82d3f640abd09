import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describeCartStoreContract } from "../src/store/cart-store.contract.js";
import { openSqliteCartStore } from "../src/store/sqlite-cart-store.js";

describeCartStoreContract("SQLite", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "cart-store-"));
  const store = openSqliteCartStore(path.join(dir, "nested", "cart.db"));
  return {
    store,
    async cleanup() {
      store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
