import { randomUUID } from "node:crypto";
import postgres, { type ReservedSql, type Sql } from "postgres";
import { growth } from "./growth.js";
import { commitsByDatabase } from "./postgres-commits.js";
import { ownCpuMs } from "./process-cpu.js";

export const FLOOR_DATABASE = "bench_floor";

/** Five products, as the system bench spreads its carts: one hot stock row would measure its lock. */
const PRODUCTS = ["1", "2", "3", "4", "5"];
const PRICE_MINOR = 2_999;

export interface FloorResult {
  checkouts: number;
  seconds: number;
  commits: number;
  postgresCpuMs: number;
  /** This process's CPU (postgres.js and the loop) over the same period. */
  benchCpuMs: number;
}

/**
 * What a checkout costs at least: the same business work as three plain SQL transactions on
 * the system's PostgreSQL server, in a fresh database, with `clients` concurrent loops, each
 * on its own connection of the pool. A transaction's statements go out pipelined, `begin`
 * to `commit`, without waiting for each other's answers.
 */
export async function runPlainSqlFloor(options: {
  /** The server's `postgres` database, where statistics are read and the floor's database is made. */
  admin: Sql;
  serverUrl: string;
  clients: number;
  durationS: number;
  postgresCpuMs: () => number;
}): Promise<FloorResult> {
  const { admin } = options;
  // Fresh each time, so earlier rows never make an index deeper than the system's.
  await admin`drop database if exists ${admin(FLOOR_DATABASE)} with (force)`;
  await admin`create database ${admin(FLOOR_DATABASE)}`;
  const url = new URL(options.serverUrl);
  url.pathname = `/${FLOOR_DATABASE}`;
  const db = postgres(url.href, { max: options.clients, onnotice: () => {} });
  const connections: ReservedSql[] = [];
  try {
    await createSchema(db);
    for (let i = 0; i < options.clients; i++) connections.push(await db.reserve());
    const loops = (until: number) =>
      Promise.all(
        connections.map(async (conn, i) => {
          let done = 0;
          while (performance.now() < until) {
            await checkout(conn, `floor-${i}`);
            done++;
          }
          return done;
        }),
      );
    // A backend publishes its counts only now and then; these connections are ours, so each
    // is told to at once (when the call answers, it has), and the reading can follow.
    const publishCounts = () => Promise.all(connections.map((conn) => conn`select pg_stat_force_next_flush()`));
    // Warm-up: connections and plans; not measured.
    await loops(performance.now() + 1_000);
    await publishCounts();
    const commitsBefore = await commitsByDatabase(admin);
    const pgBefore = options.postgresCpuMs();
    const benchBefore = ownCpuMs();
    const start = performance.now();
    const done = await loops(start + options.durationS * 1000);
    const seconds = (performance.now() - start) / 1000;
    await publishCounts();
    const pgMs = options.postgresCpuMs() - pgBefore;
    const benchMs = ownCpuMs() - benchBefore;
    const commits = growth(commitsBefore, await commitsByDatabase(admin)).get(FLOOR_DATABASE) ?? 0;
    return {
      checkouts: done.reduce((a, b) => a + b, 0),
      seconds,
      // Each connection's publishing call is a transaction of its own.
      commits: commits - connections.length,
      postgresCpuMs: pgMs,
      benchCpuMs: benchMs,
    };
  } finally {
    for (const conn of connections) conn.release();
    await db.end();
    await admin`drop database if exists ${admin(FLOOR_DATABASE)} with (force)`;
  }
}

/** The rows a checkout writes, one table each, keyed and constrained as the services' own are at least. */
async function createSchema(db: Sql) {
  await db`create table checkout_sessions (
    id uuid primary key, user_id text not null, status text not null, total_minor bigint not null,
    currency text not null, idempotency_key text not null unique,
    created_at timestamptz not null default now(), updated_at timestamptz not null default now())`;
  await db`create table stock (product_id text primary key, available integer not null check (available >= 0))`;
  await db`create table reservations (
    id uuid primary key, checkout_id uuid not null, product_id text not null, quantity integer not null,
    created_at timestamptz not null default now())`;
  await db`create table payments (
    id uuid primary key, checkout_id uuid not null, amount_minor bigint not null, currency text not null,
    idempotency_key text not null unique, created_at timestamptz not null default now())`;
  await db`create table outbox (
    id bigint generated always as identity primary key, aggregate_id uuid not null, event_type text not null,
    payload jsonb not null, created_at timestamptz not null default now())`;
  await db`create table orders (
    id uuid primary key, checkout_id uuid not null unique, user_id text not null, total_minor bigint not null,
    currency text not null, created_at timestamptz not null default now())`;
  await db`create table order_lines (
    order_id uuid not null references orders, line_no integer not null, product_id text not null,
    quantity integer not null, unit_price_minor bigint not null, primary key (order_id, line_no))`;
  await db`insert into stock ${db(PRODUCTS.map((product_id) => ({ product_id, available: 100_000_000 })))}`;
}

async function checkout(conn: Sql, userId: string) {
  const checkoutId = randomUUID();
  const productId = PRODUCTS[Math.floor(Math.random() * PRODUCTS.length)]!;
  // 1: the session, and the stock reserved (the reservation row only if the stock was there).
  await Promise.all([
    conn`begin`,
    conn`insert into checkout_sessions (id, user_id, status, total_minor, currency, idempotency_key)
         values (${checkoutId}, ${userId}, 'RESERVING', ${PRICE_MINOR}, 'USD', ${randomUUID()})`,
    conn`with taken as (
           update stock set available = available - 1 where product_id = ${productId} and available >= 1
           returning product_id)
         insert into reservations (id, checkout_id, product_id, quantity)
         select ${randomUUID()}, ${checkoutId}, product_id, 1 from taken`,
    conn`commit`,
  ]);
  // 2: the charge, one statement in its own transaction.
  await conn`insert into payments (id, checkout_id, amount_minor, currency, idempotency_key)
             values (${randomUUID()}, ${checkoutId}, ${PRICE_MINOR}, 'USD', ${randomUUID()})`;
  // 3: completed, its event in the outbox, and the order with its line.
  const orderId = randomUUID();
  const event = {
    checkout_id: checkoutId,
    user_id: userId,
    total: { currency: "USD", amount_minor: PRICE_MINOR },
    items: [{ product_id: productId, quantity: 1, unit_price_minor: PRICE_MINOR }],
  };
  await Promise.all([
    conn`begin`,
    conn`update checkout_sessions set status = 'COMPLETED', updated_at = now() where id = ${checkoutId}`,
    conn`insert into outbox (aggregate_id, event_type, payload) values (${checkoutId}, 'CheckoutCompleted', ${conn.json(event)})`,
    conn`insert into orders (id, checkout_id, user_id, total_minor, currency)
         values (${orderId}, ${checkoutId}, ${userId}, ${PRICE_MINOR}, 'USD')`,
    conn`insert into order_lines (order_id, line_no, product_id, quantity, unit_price_minor)
         values (${orderId}, 1, ${productId}, 1, ${PRICE_MINOR})`,
    conn`commit`,
  ]);
}
