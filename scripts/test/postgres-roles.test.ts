import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tryPostgres } from "../lib/raw-clients.js";
import { ensureDatabaseOwner } from "../provision/postgres-roles.js";

/**
 * ensureDatabaseOwner on the test run's PostgreSQL, against a database laid out as a state dir
 * from before the roles left it: everything created by the superuser. Names are unique to this
 * run (roles are cluster-wide) and dropped afterwards.
 */

const admin = process.env.TEST_DATABASE_URL!;
const suffix = randomUUID().replaceAll("-", "").slice(0, 10);
const database = `owned_${suffix}`;
const other = `other_${suffix}`;
const role = `svc_${suffix}`;
const adminUrl = (db: string) => {
  const url = new URL(admin);
  url.pathname = `/${db}`;
  return url.href;
};
const asRole = (db: string, password: string) => {
  const url = new URL(adminUrl(db));
  url.username = role;
  url.password = password;
  return url.href;
};

beforeAll(async () => {
  const sql = postgres(adminUrl("postgres"), { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`create database ${database}`);
    await sql.unsafe(`create database ${other}`);
  } finally {
    await sql.end();
  }
  // What migrations run as the superuser leave behind, and a little more.
  const db = postgres(adminUrl(database), { max: 1, onnotice: () => {} });
  try {
    await db.unsafe(`
      create schema drizzle;
      create table drizzle.migrations (id serial primary key, hash text);
      create type state as enum ('open', 'done');
      create domain positive as int check (value > 0);
      create table items (id bigserial primary key, state state not null, qty positive);
      create sequence standalone_seq;
      create view open_items as select * from items where state = 'open';
      create function count_items() returns bigint language sql as 'select count(*) from items';
      insert into items (state, qty) values ('open', 2);
    `);
  } finally {
    await db.end();
  }
});

afterAll(async () => {
  const sql = postgres(adminUrl("postgres"), { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists ${database} with (force)`);
    await sql.unsafe(`drop database if exists ${other} with (force)`);
    await sql.unsafe(`drop role if exists ${role}`);
  } finally {
    await sql.end();
  }
});

describe("ensureDatabaseOwner", () => {
  it("hands every object a superuser made to the role, which then works on them as their owner", async () => {
    await ensureDatabaseOwner(adminUrl, { database, role, password: "first-password" });
    const url = asRole(database, "first-password");
    const owners = await tryPostgres(
      url,
      `select c.relname, pg_get_userbyid(c.relowner) as owner from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname in ('public', 'drizzle') and c.relkind in ('r', 'S', 'v')
       union all select p.proname, pg_get_userbyid(p.proowner) from pg_proc p where p.proname = 'count_items'
       union all select t.typname, pg_get_userbyid(t.typowner) from pg_type t where t.typname in ('state', 'positive')
       union all select nspname, pg_get_userbyid(nspowner) from pg_namespace where nspname = 'drizzle'`,
    );
    expect(owners.ok).toBe(true);
    if (!owners.ok) return;
    expect(owners.rows.length).toBeGreaterThanOrEqual(9);
    expect(owners.rows.filter((r) => r.owner !== role)).toEqual([]);
    // Owner's rights: DDL on the tables it was given, a new migration as itself.
    expect(
      await tryPostgres(
        url,
        "alter table items add column note text; insert into drizzle.migrations (hash) values ('x')",
      ),
    ).toMatchObject({ ok: true });
    expect(await tryPostgres(url, "select count_items() as n")).toEqual({ ok: true, rows: [{ n: "1" }] });
  });

  it("gives the role no attribute beyond LOGIN and keeps everyone else out of its database", async () => {
    expect(
      await tryPostgres(
        asRole(database, "first-password"),
        "select rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls from pg_roles where rolname = current_user",
      ),
    ).toEqual({
      ok: true,
      rows: [{ rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolreplication: false, rolbypassrls: false }],
    });
    const acl = await tryPostgres(
      adminUrl("postgres"),
      `select datacl::text[] as acl from pg_database where datname = '${database}'`,
    );
    expect(acl).toEqual({ ok: true, rows: [{ acl: [`${role}=CTc/${role}`] }] });
  });

  it("is idempotent, and a second call with another password changes it", async () => {
    await ensureDatabaseOwner(adminUrl, { database, role, password: "second-password" });
    expect(await tryPostgres(asRole(database, "first-password"), "select 1")).toMatchObject({
      ok: false,
      code: "28P01",
    });
    expect(await tryPostgres(asRole(database, "second-password"), "select count(*) as n from items")).toEqual({
      ok: true,
      rows: [{ n: "1" }],
    });
  });
});
