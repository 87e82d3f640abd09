import { scramSha256Verifier } from "@checkout-saga/shared/dev";
import postgres from "postgres";
import { ProvisionError } from "./provision-error.js";

/** A database and the login role that owns it, and the only role (superusers aside) that may connect to it. */
export interface DatabaseOwner {
  database: string;
  role: string;
  password: string;
  /** Extra `CREATE DATABASE` options for a new database, e.g. FerretDB's UTF8 encoding. */
  createOptions?: string;
  /** Schemas that stay the superuser's, with everything in them (FerretDB's support function). */
  superuserSchemas?: string[];
}

/** A superuser connection URL for one database of the cluster. */
export type AdminUrl = (database: string) => string;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Gives a database to a login role of its own, idempotently, on a data dir of any age:
 * - the role logs in with `password` (set on every call, as a SCRAM verifier) and holds no
 *   attribute beyond LOGIN: not superuser, no CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS;
 * - it owns the database, so the service's own migrations create its tables as that role;
 * - no one else may connect to it or make temporary tables in it (REVOKE ALL FROM PUBLIC);
 * - whatever a superuser created in the database before (tables migrated as `postgres` in a
 *   state dir from before the roles) is handed over to the role, so the role owns all of it.
 */
export async function ensureDatabaseOwner(adminUrl: AdminUrl, owner: DatabaseOwner): Promise<void> {
  const { database, role } = owner;
  const kept = owner.superuserSchemas ?? [];
  for (const name of [database, role, ...kept]) {
    if (!IDENTIFIER.test(name)) throw new ProvisionError(`"${name}" is not a plain lower-case SQL identifier`);
  }
  const admin = postgres(adminUrl("postgres"), { max: 1, onnotice: () => {} });
  try {
    const verifier = scramSha256Verifier(owner.password);
    const attributes = "login nosuperuser nocreatedb nocreaterole noreplication nobypassrls";
    const [existing] = await admin`select 1 from pg_roles where rolname = ${role}`;
    await admin.unsafe(`${existing ? "alter" : "create"} role ${role} with ${attributes} password '${verifier}'`);
    const [found] = await admin`select 1 from pg_database where datname = ${database}`;
    if (found) await admin.unsafe(`alter database ${database} owner to ${role}`);
    else await admin.unsafe(`create database ${database} owner ${role} ${owner.createOptions ?? ""}`);
    await admin.unsafe(`revoke all on database ${database} from public`);
  } finally {
    await admin.end();
  }
  await handOverObjects(adminUrl(database), role, kept);
}

/**
 * The maintenance database `postgres` and the template `template1` are open to every role by
 * default; only superusers need them (provisioning, CREATE DATABASE), so a service role cannot
 * even connect there.
 */
export async function closeMaintenanceDatabase(adminUrl: AdminUrl): Promise<void> {
  const admin = postgres(adminUrl("postgres"), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe("revoke all on database postgres from public");
    await admin.unsafe("revoke all on database template1 from public");
  } finally {
    await admin.end();
  }
}

/**
 * Every schema, relation, routine and type in the database's own schemas that the superuser
 * (current_user) owns goes to `role`. A sequence behind a column goes with its table; an
 * event-trigger function stays with the superuser: it runs for everyone's DDL, so the role
 * must not be able to replace it. What is left over is an error naming it.
 */
async function handOverObjects(databaseUrl: string, role: string, kept: string[]): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  // Identifiers checked above: plain lower-case words, safe to quote as literals.
  const keptList = ["pg_catalog", ...kept].map((k) => `'${k}'`).join(", ");
  try {
    await sql.unsafe(HAND_OVER.replaceAll(":role", `'${role}'`).replaceAll(":kept", keptList));
    const left = await sql<{ object: string }[]>`
      select c.oid::regclass::text as object from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relowner = (select oid from pg_roles where rolname = current_user)
        and n.nspname !~ '^pg_' and n.nspname <> 'information_schema' and not (n.nspname = any(${["pg_catalog", ...kept]}))
        and c.relkind in ('r', 'p', 'v', 'm', 'f')`;
    if (left.length > 0) {
      throw new ProvisionError(
        `objects in ${new URL(databaseUrl).pathname.slice(1)} still belong to the superuser, not ${role}: ${left.map((l) => l.object).join(", ")}`,
      );
    }
  } finally {
    await sql.end();
  }
}

const USER_SCHEMA = "n.nspname !~ '^pg_' and n.nspname <> 'information_schema' and n.nspname not in (:kept)";
const NOT_FROM_EXTENSION = (catalog: string, oid: string) =>
  `not exists (select 1 from pg_depend d where d.classid = '${catalog}'::regclass and d.objid = ${oid} and d.deptype = 'e')`;

const HAND_OVER = `
do $$
declare
  target constant name := :role;
  su constant oid := (select oid from pg_roles where rolname = current_user);
  r record;
begin
  for r in select n.nspname from pg_namespace n where n.nspowner = su and ${USER_SCHEMA} loop
    execute format('alter schema %I owner to %I', r.nspname, target);
  end loop;
  for r in
    select c.oid::regclass as rel, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relowner = su and ${USER_SCHEMA} and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
      and ${NOT_FROM_EXTENSION("pg_class", "c.oid")}
      and not (c.relkind = 'S' and exists (
        select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i')))
  loop
    execute format('alter %s %s owner to %I',
      case r.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view'
        when 'f' then 'foreign table' else 'table' end,
      r.rel, target);
  end loop;
  for r in
    select p.oid::regprocedure as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where p.proowner = su and ${USER_SCHEMA} and p.prorettype <> 'event_trigger'::regtype
      and ${NOT_FROM_EXTENSION("pg_proc", "p.oid")}
  loop
    execute format('alter routine %s owner to %I', r.fn, target);
  end loop;
  for r in
    select t.oid::regtype as typ, t.typtype from pg_type t join pg_namespace n on n.oid = t.typnamespace
    where t.typowner = su and ${USER_SCHEMA} and t.typtype in ('e', 'd', 'r')
      and ${NOT_FROM_EXTENSION("pg_type", "t.oid")}
  loop
    execute format('alter %s %s owner to %I', case r.typtype when 'd' then 'domain' else 'type' end, r.typ, target);
  end loop;
end $$`;
