import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { ReadinessCheck } from "./readiness.js";

export type Sql = postgres.Sql;

/** A postgres.js pool; notices are dropped (migrations emit "already exists" ones). */
export function createPostgres(url: string, options: { max?: number } = {}): Sql {
  return postgres(url, { max: options.max ?? 10, onnotice: () => {}, connect_timeout: 10 });
}

/** Readiness of a service's own database: critical, one round trip on its pool. */
export const postgresReadiness = (sql: Sql): ReadinessCheck => ({
  critical: true,
  check: async () => void (await sql`select 1`),
});

/**
 * Applies the service's checked-in drizzle migrations. A session advisory lock makes
 * instances starting together take turns instead of racing on the same DDL. Runs on a
 * short-lived pool of its own: drizzle rewires the date (de)serializers of the client it
 * wraps, which would change how the service's own queries see timestamps.
 */
export async function migratePostgres(databaseUrl: string, migrationsFolder: string, lockKey: number): Promise<void> {
  // Two connections: one holds the lock while the migrator works on the other.
  const sql = createPostgres(databaseUrl, { max: 2 });
  try {
    const lock = await sql.reserve();
    try {
      await lock`select pg_advisory_lock(${lockKey})`;
      const db: PostgresJsDatabase = drizzle(sql);
      await migrate(db, { migrationsFolder });
    } finally {
      await lock`select pg_advisory_unlock(${lockKey})`.catch(() => {});
      lock.release();
    }
  } finally {
    await sql.end();
  }
}
