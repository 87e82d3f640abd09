import { fileURLToPath } from "node:url";
import { createPostgres, migratePostgres } from "@checkout-saga/shared";

const migrationsFolder = fileURLToPath(new URL("../../drizzle", import.meta.url));
/** Advisory lock key for this service's migrations (its default port, unique per service). */
const MIGRATION_LOCK_KEY = 50_053;

/** Brings the schema up to date and seeds stock into an empty database. */
export async function prepareInventoryDatabase(
  databaseUrl: string,
  seed: ReadonlyArray<{ productId: string; available: number }>,
): Promise<void> {
  await migratePostgres(databaseUrl, migrationsFolder, MIGRATION_LOCK_KEY);
  const sql = createPostgres(databaseUrl, { max: 1 });
  try {
    // Only an empty table is seeded, so stock an operator changed or removed stays so after a
    // restart; "on conflict do nothing" covers two instances seeding at the same moment.
    const [row] = await sql<{ empty: boolean }[]>`select not exists (select 1 from stock) as empty`;
    if (!row?.empty) return;
    const rows = seed.map((s) => ({ product_id: s.productId, available: s.available, reserved: 0 }));
    await sql`insert into stock ${sql(rows)} on conflict (product_id) do nothing`;
  } finally {
    await sql.end();
  }
}
