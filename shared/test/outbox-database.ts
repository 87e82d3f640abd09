import { generateDrizzleJson, generateMigration } from "drizzle-kit/api";
import { createPostgres, outboxTable, type Sql } from "../src/index.js";
import { createTestDatabase } from "../src/testing/index.js";

/**
 * A fresh test database holding only the outbox table, created from the shared drizzle
 * definition the way drizzle-kit would write a service's migration for it: the relay and
 * retention are tested against exactly the table every service gets.
 */
export async function createOutboxDatabase(prefix: string): Promise<{ url: string; sql: Sql }> {
  const url = await createTestDatabase(prefix);
  const empty = generateDrizzleJson({});
  const statements = await generateMigration(empty, generateDrizzleJson({ outbox: outboxTable }, empty.id));
  const sql = createPostgres(url);
  for (const statement of statements) await sql.unsafe(statement);
  return { url, sql };
}
