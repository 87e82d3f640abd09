import { chmod, cp, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { type EmbeddedPostgresServer, freePort, startEmbeddedPostgres } from "@checkout-saga/shared/dev";
import { MongoClient } from "mongodb";
import postgres from "postgres";
import { createProgress, inStep, type Progress } from "../lib/progress.js";
import { ensureCached, provisionCacheDir, reportGrowth } from "./cache.js";
import { ensureDatabaseOwner } from "./postgres-roles.js";
import type { ProvisionResult } from "./provision-result.js";
import { assertPortFree, spawnServer, waitUntilReady } from "./server-process.js";
import { requireTool, runTool } from "./tools.js";

/** The MongoDB-wire server; v1 stores documents in PostgreSQL (or SQLite, which we do not use). */
export const FERRETDB_VERSION = "v1.24.2";

const FERRETDB_MODULE = "github.com/FerretDB/FerretDB";

const GO_HINT =
  "install Go 1.24+ (https://go.dev/dl; Go 1.21+ fetches the toolchain FerretDB asks for by itself), or set MONGODB_URI to an existing server";

/** Builds FerretDB from the Go module proxy into the cache (once per machine). */
export async function installFerretDb(progress: Progress = createProgress()): Promise<ProvisionResult> {
  const cache = provisionCacheDir();
  const home = path.join(cache, `ferretdb-${FERRETDB_VERSION}`);
  const installed = await ensureCached(home, async (scratch) => {
    // Go's usual home when it is not on PATH (as in a shell that skipped the profile).
    const go = requireTool("go", "to build FerretDB", GO_HINT, ["/usr/local/go/bin"]);
    // Modules and build cache (about 1 GB) live in the scratch folder and go once the binary
    // is built: the binary is what is worth keeping.
    const work = path.join(scratch, "work");
    const env = {
      ...process.env,
      GOMODCACHE: path.join(work, "modules"),
      GOCACHE: path.join(work, "build-cache"),
      // A writable module cache, so it can be removed with the rest.
      GOFLAGS: `${process.env.GOFLAGS ?? ""} -modcacherw`.trim(),
      // Pure Go (SQLite included): no C compiler needed.
      CGO_ENABLED: "0",
    };
    // `go install pkg@version` first asks the proxy for the module's version list, which it
    // refuses for FerretDB; downloading the exact version needs no list. FerretDB then wants
    // the version file its release tooling writes, so build from a copy that has it.
    await mkdir(work);
    const module = `${FERRETDB_MODULE}@${FERRETDB_VERSION}`;
    // go prints nothing while it fetches or compiles; the module and build caches' sizes show it working.
    const goStep = (text: string, measured: string, args: string[], cwd: string, what: string) =>
      inStep(progress, "ferretdb", text, async (step) => {
        const stopReporting = reportGrowth(measured, step);
        try {
          return await runTool(go, args, { cwd, env, what });
        } finally {
          stopReporting();
        }
      });
    const download = await goStep(
      `downloading ${module} and its modules (go mod download)`,
      env.GOMODCACHE,
      ["mod", "download", "-json", module],
      work,
      `downloading ${module} from the Go module proxy`,
    );
    const source = path.join(work, "source");
    await cp((JSON.parse(download) as { Dir: string }).Dir, source, { recursive: true });
    await chmodTree(source);
    await writeFile(path.join(source, "build", "version", "version.txt"), `${FERRETDB_VERSION}\n`);
    await goStep(
      "building the ferretdb binary (go build)",
      env.GOCACHE,
      ["build", "-trimpath", "-o", path.join(scratch, "bin", "ferretdb"), "./cmd/ferretdb"],
      source,
      `building ${FERRETDB_MODULE}/cmd/ferretdb@${FERRETDB_VERSION}`,
    );
    await rm(work, { recursive: true, force: true });
  });
  const location = path.join(home, "bin", "ferretdb");
  if (!installed) progress.cached("ferretdb", `${FERRETDB_VERSION} binary at ${location}`);
  return { what: `ferretdb ${FERRETDB_VERSION}`, installed, location };
}

export interface RunningFerretDb {
  /** mongodb://127.0.0.1:<port>/ — with an owner, it only answers clients that log in (`uriFor`). */
  uri: string;
  /** With an owner: the URI of one MongoDB database, logged in as the owner (SASL PLAIN). */
  uriFor(database: string): string;
  port: number;
  stop(): Promise<void>;
}

/** The PostgreSQL database FerretDB keeps every MongoDB database in (one schema each). */
const BACKEND_DATABASE = "ferretdb";

/** Where the support function below lives: the superuser's schema, which FerretDB does not list as a database. */
const SUPPORT_SCHEMA = "ferretdb_support";

/** Creating the backend database: FerretDB refuses any encoding but UTF8 (see ensureBackendDatabase). */
const BACKEND_DATABASE_OPTIONS = "encoding 'UTF8' locale 'C' template template0";

/**
 * FerretDB as our child process, telemetry off, on a PostgreSQL cluster of its own in
 * `dataDir/postgres` (on a free port: only FerretDB connects to it), started first and stopped
 * after FerretDB. Not the SQLite backend: there FerretDB itself scans the whole collection for
 * every update or delete that changes a document, even by _id (2 000 carts, 12 000 documents:
 * 16–28 ms of its CPU per write, against ~1 ms for FerretDB and PostgreSQL together here,
 * given the index below).
 * Not the services' PostgreSQL either: carts stay up when it goes down, as they would on a
 * MongoDB of their own. Both keep their data in `dataDir`, so a restart finds the carts again.
 *
 * With an `owner`, FerretDB holds no credentials of its own: its PostgreSQL URL names no user,
 * and it opens PostgreSQL connections as whoever logs in to it (SASL PLAIN; FerretDB 1.x's
 * backend authentication), so an anonymous client reaches nothing and the owner role — which
 * owns the backend database and nothing else, not a superuser — is who the cart service is to
 * PostgreSQL. Without one (tests), FerretDB connects as the superuser for every client.
 */
export async function startFerretDb(options: {
  port?: number;
  dataDir: string;
  readyTimeoutMs?: number;
  /** The backend's superuser password (provisioning only); see startEmbeddedPostgres. */
  superuserPassword?: string;
  formerSuperuserPasswords?: string[];
  owner?: { role: string; password: string };
  progress?: Progress;
}): Promise<RunningFerretDb> {
  const progress = options.progress ?? createProgress();
  const { location } = await installFerretDb(progress);
  const port = options.port ?? (await freePort());
  await assertPortFree(port, "ferretdb");
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  return inStep(
    progress,
    "ferretdb",
    "starting its PostgreSQL",
    async (step) => {
      const backend = await startEmbeddedPostgres({
        dataDir: path.join(dataDir, "postgres"),
        password: options.superuserPassword,
        formerPasswords: options.formerSuperuserPasswords,
      });
      const { owner } = options;
      try {
        if (owner) {
          await ensureDatabaseOwner(backend.url, {
            database: BACKEND_DATABASE,
            ...owner,
            createOptions: BACKEND_DATABASE_OPTIONS,
            superuserSchemas: [SUPPORT_SCHEMA],
          });
        }
        await ensureBackendDatabase(backend);
        step.update({ text: `starting on 127.0.0.1:${port}` });
        const logFile = path.join(dataDir, "ferretdb.log");
        const server = spawnServer({
          name: "ferretdb",
          command: location,
          args: [
            `--listen-addr=127.0.0.1:${port}`,
            "--handler=postgresql",
            `--postgresql-url=${owner ? withoutCredentials(backend.url(BACKEND_DATABASE)) : backend.url(BACKEND_DATABASE)}`,
            `--state-dir=${dataDir}`,
            "--telemetry=disable",
            // Its debug HTTP endpoint defaults to a fixed port (8088), which parallel servers would fight over.
            "--debug-addr=-",
            "--log-level=warn",
          ],
          logFile,
        });
        const uri = `mongodb://127.0.0.1:${port}/`;
        const uriFor = (database: string) => {
          if (!owner) return `${uri}${database}`;
          const user = `${encodeURIComponent(owner.role)}:${encodeURIComponent(owner.password)}`;
          return `mongodb://${user}@127.0.0.1:${port}/${database}?authMechanism=PLAIN`;
        };
        await waitUntilReady(server, () => pingMongo(uriFor("admin")), {
          timeoutMs: options.readyTimeoutMs ?? 30_000,
          logFile,
        });
        let stopping: Promise<void> | undefined;
        return {
          uri,
          uriFor,
          port,
          stop: () => {
            stopping ??= server.stop().finally(() => backend.stop());
            return stopping;
          },
        };
      } catch (err) {
        await backend.stop();
        throw err;
      }
    },
    (running) => `ready at ${running.uri}`,
  );
}

/** A PostgreSQL URL without its user and password. */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = "";
  parsed.password = "";
  return parsed.href;
}

/**
 * FerretDB refuses a database whose encoding is not UTF8, and the cluster's default follows
 * the environment's locale at initdb (SQL_ASCII when none is set): ask for it explicitly. Then
 * the index FerretDB's tables lack (below), on every start, so it holds for any data dir.
 */
async function ensureBackendDatabase(backend: EmbeddedPostgresServer): Promise<void> {
  const admin = postgres(backend.url("postgres"), { max: 1, onnotice: () => {} });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${BACKEND_DATABASE}`;
    if (rows.length === 0) await admin.unsafe(`create database ${BACKEND_DATABASE} ${BACKEND_DATABASE_OPTIONS}`);
  } finally {
    await admin.end();
  }
  const sql = postgres(backend.url(BACKEND_DATABASE), { max: 1, onnotice: () => {} });
  try {
    await sql.begin((tx) => [
      // Where data dirs from before kept it: in public, which the owner role controls.
      tx.unsafe("drop function if exists public.index_ferretdb_id() cascade"),
      tx.unsafe(`create schema if not exists ${SUPPORT_SCHEMA}`),
      tx.unsafe(`revoke all on schema ${SUPPORT_SCHEMA} from public`),
      tx.unsafe(INDEX_ID_FUNCTION),
      tx.unsafe(INDEX_ID_TRIGGER),
    ]);
  } finally {
    await sql.end();
  }
}

/**
 * FerretDB 1.24 filters on _id as `_jsonb->$1 @> $2`, which its own _id index (a btree on
 * `_jsonb->'_id'`) cannot serve, so PostgreSQL reads the whole table for every find, update
 * and delete by _id (20 000 documents: ~7 ms of its CPU per update). A GIN index on that
 * expression serves `@>` once the key is bound, as PostgreSQL's plans for those statements
 * bind it (~0.4 ms). Without fastupdate: its pending list of new entries would be read by every
 * lookup until a vacuum merged it. FerretDB makes a table per collection when the collection
 * first appears, so an event trigger gives each new table that index. It is not in FerretDB's
 * index metadata: clients do not see it, and it goes with its table.
 * The function runs for every role's CREATE TABLE (as that role), so it stays the superuser's,
 * in a schema only the superuser may use or create in, with a fixed search_path: the role
 * FerretDB logs in as cannot change what it does.
 */
const INDEX_ID_FUNCTION = `
create or replace function ${SUPPORT_SCHEMA}.index_ferretdb_id() returns event_trigger language plpgsql
set search_path = pg_catalog, pg_temp as $$
declare
  created regclass;
begin
  for created in
    select c.oid::regclass from pg_event_trigger_ddl_commands() d join pg_class c on c.oid = d.objid
    where d.command_tag = 'CREATE TABLE' and c.relkind = 'r'
      -- FerretDB's own, looked up by other fields
      and c.relname <> '_ferretdb_database_metadata'
      and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = '_jsonb' and not a.attisdropped)
  loop
    execute format('create index on %s using gin ((_jsonb->''_id'') jsonb_path_ops) with (fastupdate = off)', created);
  end loop;
end $$`;

const INDEX_ID_TRIGGER = `
do $$ begin
  if not exists (select 1 from pg_event_trigger where evtname = 'index_ferretdb_id') then
    create event trigger index_ferretdb_id on ddl_command_end when tag in ('CREATE TABLE')
      execute function ${SUPPORT_SCHEMA}.index_ferretdb_id();
  end if;
end $$`;

/** Module-cache files are read-only; the copy must be writable to add a file and to remove it. */
async function chmodTree(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chmodTree(full);
    else await chmod(full, 0o644);
  }
}

async function pingMongo(uri: string): Promise<void> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1_000, directConnection: true });
  try {
    await client.db("admin").command({ ping: 1 });
  } finally {
    await client.close();
  }
}
