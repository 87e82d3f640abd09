import type { Sql } from "postgres";

/** Committed transactions by database name, as PostgreSQL's cumulative statistics count them. */
export type Commits = Map<string, number>;

/**
 * How long after the load stops every backend has published its counts (PostgreSQL 15+): at
 * most once a second, and one turned down for being too soon publishes when it has been idle
 * for PGSTAT_IDLE_INTERVAL, 10 s. The bench's own connections are told to at once instead.
 */
export const STATS_PUBLISHED_MS = 11_000;

/** The database the bench reads statistics through: its own few transactions land there, never in a counted one. */
export const STATISTICS_DATABASE = "postgres";

export async function commitsByDatabase(sql: Sql): Promise<Commits> {
  const rows = await sql<{ datname: string; xact_commit: string }[]>`
    select datname, xact_commit from pg_stat_database where datname is not null`;
  return new Map(rows.map((r) => [r.datname, Number(r.xact_commit)]));
}

export async function serverVersion(sql: Sql): Promise<string> {
  const [row] = await sql<{ server_version: string }[]>`show server_version`;
  return row?.server_version ?? "?";
}
