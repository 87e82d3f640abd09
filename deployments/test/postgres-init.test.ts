/**
 * deployments/postgres-init/roles-and-databases.psql on a real PostgreSQL (a fresh cluster of
 * its own, as a new data volume would be): each service's role gets into its own database and
 * nowhere else, and holds no power beyond that. psql is not installed here, so its variables
 * (`:'checkout_password'`) are substituted as psql would, as quoted literals.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type EmbeddedPostgresServer, startEmbeddedPostgres } from "@checkout-saga/shared/dev";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tryPostgres } from "../../scripts/lib/raw-clients.js";
import { DATABASES, databaseRole } from "../../scripts/stack/topology.js";
import { deploymentsDir, read } from "./deployment-files.js";

let dir: string;
let server: EmbeddedPostgresServer;
const passwords = Object.fromEntries(DATABASES.map((db) => [db, `${db}-secret-password`]));

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "checkout-saga-postgres-init-"));
  server = await startEmbeddedPostgres({ dataDir: dir });
  const script = read(path.join(deploymentsDir, "postgres-init", "roles-and-databases.psql"))
    .split("\n")
    .filter((l) => !l.startsWith("--"))
    .join("\n")
    .replace(/:'(\w+)_password'/g, (_, db: string) => `'${passwords[db]}'`);
  const sql = postgres(server.url("postgres"), { max: 1, onnotice: () => {} });
  try {
    // One statement at a time, as psql sends them: CREATE DATABASE refuses a transaction block.
    for (const statement of script.split(";").map((s) => s.trim())) if (statement) await sql.unsafe(statement);
  } finally {
    await sql.end();
  }
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const urlAs = (db: string, role: string, password: string) =>
  `postgres://${role}:${password}@127.0.0.1:${server.port}/${db}`;

describe("postgres-init/roles-and-databases.psql", () => {
  it("lets each service's role into its own database, where it may create tables, as no superuser", async () => {
    for (const db of DATABASES) {
      const url = urlAs(db, databaseRole(db), passwords[db]!);
      expect(await tryPostgres(url, "create table probe (id int)"), db).toMatchObject({ ok: true });
      expect(
        await tryPostgres(
          url,
          "select rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = current_user",
        ),
      ).toEqual({ ok: true, rows: [{ rolsuper: false, rolcreatedb: false, rolcreaterole: false }] });
    }
  });

  it("keeps each role out of the other services' databases and the maintenance ones", async () => {
    for (const db of DATABASES) {
      for (const other of [...DATABASES.filter((d) => d !== db), "postgres", "template1"]) {
        const attempt = await tryPostgres(urlAs(other, databaseRole(db), passwords[db]!), "select 1");
        expect(attempt, `${db} → ${other}`).toMatchObject({ ok: false, code: "42501" });
      }
    }
  });
});
