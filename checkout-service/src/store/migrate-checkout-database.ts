import { fileURLToPath } from "node:url";
import { migratePostgres } from "@checkout-saga/shared";

const migrationsFolder = fileURLToPath(new URL("../../drizzle", import.meta.url));
const MIGRATION_LOCK_KEY = 50_056;

/** Applies the checked-in migrations; instances starting together take turns. */
export const migrateCheckoutDatabase = (databaseUrl: string): Promise<void> =>
  migratePostgres(databaseUrl, migrationsFolder, MIGRATION_LOCK_KEY);
