import { describe, expect, it } from "vitest";
import { loadProductConfig } from "./config.js";

describe("product-service config", () => {
  it("keeps the catalog in the SQLite file unless PRODUCT_DATABASE_URL names a PostgreSQL database", () => {
    const embedded = loadProductConfig({});
    expect(embedded).toMatchObject({ databasePath: ".data/product.db", inventoryUrl: "http://127.0.0.1:50053" });
    expect(embedded.databaseUrl).toBeUndefined();
    const production = loadProductConfig({
      PRODUCT_DATABASE_URL: "postgres://product_service:pw@db:5432/product",
      INVENTORY_URL: "http://inventory-service:50053",
    });
    expect(production).toMatchObject({
      databaseUrl: "postgres://product_service:pw@db:5432/product",
      inventoryUrl: "http://inventory-service:50053",
    });
  });
});
