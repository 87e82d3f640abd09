import os from "node:os";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { ReadinessCheck } from "./readiness.js";

export type Sql = postgres.Sql;

/**
 * Connections (or sockets) a service keeps to its database: twice the cores, plus one — the
 * usual starting point for a database on the same machine (5 on 2 cores). Every checkout write is
 * one statement and no transaction waits on another service, so a connection is busy only while
 * the database works; more of them would only queue on the same cores, and each costs the server
 * memory and a process.
 */
export const poolSizeForThisMachine = (): number => os.availableParallelism() * 2 + 1;

/** A postgres.js pool (sized by `poolSizeForThisMachine` unless told); notices are dropped (migrations emit "already exists" ones). */
export function createPostgres(url: string, options: { max?: number } = {}): Sql {
  return postgres(url, { max: options.max ?? poolSizeForThisMachine(), onnotice: () => {}, connect_timeout: 10 });
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
