import { fileURLToPath } from "node:url";
import { migratePostgres } from "@checkout-saga/shared";

const migrationsFolder = fileURLToPath(new URL("../../drizzle", import.meta.url));

// Any constant works: advisory locks are per database and this one only guards these migrations.
const MIGRATION_LOCK_KEY = 50_055;

/** Brings the orders database to the checked-in schema; safe when several instances start together. */
export const migrateOrdersDatabase = (databaseUrl: string): Promise<void> =>
  migratePostgres(databaseUrl, migrationsFolder, MIGRATION_LOCK_KEY);
