import { defineConfig } from "drizzle-kit";

/** Production mode's catalog (PRODUCT_DATABASE_URL); drizzle.config.ts is the SQLite file's. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/store/postgres-schema.ts",
  out: "./drizzle-postgres",
});
