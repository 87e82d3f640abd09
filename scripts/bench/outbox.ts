import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { create } from "@bufbuild/protobuf";
import { startOrdersService } from "@checkout-saga/orders-service";
import {
  buildEnvelope,
  CHECKOUT_EVENTS_TOPIC,
  checkoutTotals,
  createKafkaEventBus,
  createLogger,
  createOutboxRelay,
  createOutboxSignal,
  createPostgres,
  deadLetterTopic,
  type EventPublisher,
  encodeEnvelope,
  type KafkaConnection,
  money,
  type OutboxSignal,
  type Sql,
  writeOutboxMessage,
} from "@checkout-saga/shared";
import { startEmbeddedPostgres } from "@checkout-saga/shared/dev";
import { CheckoutFailedSchema } from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import { checkoutEndedEvent } from "../../checkout-service/src/saga/checkout-events.js";
import type { CheckoutSession } from "../../checkout-service/src/saga/checkout-saga.js";
import { migrateCheckoutDatabase } from "../../checkout-service/src/store/migrate-checkout-database.js";
import { createPostgresCheckoutStore } from "../../checkout-service/src/store/postgres-checkout-store.js";
import { summarize } from "../lib/stats.js";
import { createKafkaTopics, startKafka } from "../provision/servers.js";

export const outboxBenchUsage = `usage: npm run bench -- outbox [--rows N] [--batch N] [--rate R] [--duration S] [--checkout-rate R]

Starts its own PostgreSQL (embedded) and Kafka (KRaft child process) in a temp dir, then:
  1. drain: N pending outbox rows pre-filled, the relay publishes them to Kafka; events/s
  2. commit → publish (broker ack) latency at a steady R events/s (one transaction per event,
     as the saga writes them), once per way of waking the relay:
       signal     the in-process doorbell the store rings after its commit (the service's way)
       notify     LISTEN/NOTIFY: pg_notify in every writing transaction
       adaptive   no doorbell: polls 10 ms after activity, doubling up to 500 ms when idle
       poll-500   no doorbell: fixed 500 ms polls (the old behaviour for other processes' rows)
  3. commit throughput of 16 concurrent writers with and without pg_notify (NOTIFY serializes commits)
  4. checkout completed → order committed by the real orders service consuming Kafka, at the
     checkout rate, from the two databases' own timestamps

  --rows N            rows for the drain (default 100000)
  --batch N           relay batch size (default 2000, the service default OUTBOX_BATCH_SIZE)
  --rate R            offered events/s for the latency runs (default 1000)
  --duration S        seconds per latency run (default 10)
  --checkout-rate R   completed checkouts/s for the order-visible run (default 200)`;

const TOPIC_PARTITIONS = 6;
const WAKE_MODES = ["signal", "notify", "adaptive", "poll-500"] as const;
type WakeMode = (typeof WAKE_MODES)[number];

export async function benchOutbox(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: "string", default: "100000" },
      batch: { type: "string", default: "2000" },
      rate: { type: "string", default: "1000" },
      duration: { type: "string", default: "10" },
      "checkout-rate": { type: "string", default: "200" },
    },
  });
  const settings = {
    rows: Number(values.rows),
    batch: Number(values.batch),
    rate: Number(values.rate),
    durationS: Number(values.duration),
    checkoutRate: Number(values["checkout-rate"]),
  };
  if (!Object.values(settings).every((n) => Number.isInteger(n) && n > 0)) {
    throw new RangeError(`every option must be a positive integer\n\n${outboxBenchUsage}`);
  }

  const dir = await mkdtemp(path.join(os.tmpdir(), "checkout-saga-bench-outbox-"));
  const logger = createLogger("bench-outbox", { level: "warn" });
  const cleanup: Array<() => Promise<unknown>> = [() => rm(dir, { recursive: true, force: true })];
  try {
    console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "?"}; node ${process.version}`);
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg") });
    cleanup.push(() => pg.stop());
    const kafka = await startKafka({ dataDir: path.join(dir, "kafka") });
    cleanup.push(() => kafka.stop());
    await createKafkaTopics(kafka.admin, [
      { topic: CHECKOUT_EVENTS_TOPIC, partitions: TOPIC_PARTITIONS },
      { topic: deadLetterTopic(CHECKOUT_EVENTS_TOPIC), partitions: 1 },
    ]);
    await pg.ensureDatabase("checkout");
    await pg.ensureDatabase("orders");
    await migrateCheckoutDatabase(pg.url("checkout"));
    const sql = createPostgres(pg.url("checkout"), { max: 20 });
    cleanup.push(() => sql.end());
    // SASL as in production (SCRAM-SHA-256): its cost is in the figures.
    const bus = createKafkaEventBus({ ...kafka.connection(), clientId: "bench-relay", logger });
    cleanup.push(() => bus.close());
    console.log(
      `PostgreSQL 18 (embedded, fsync on), Kafka single node, topic ${CHECKOUT_EVENTS_TOPIC} with ${TOPIC_PARTITIONS} partitions; idempotent producer, acks=all\n`,
    );

    await benchDrain(sql, bus, settings);
    // Warm-up (JIT, connections, Kafka's page cache): not reported.
    await benchLatency(sql, bus, "signal", { ...settings, durationS: 2 }, false);
    for (const mode of WAKE_MODES) await benchLatency(sql, bus, mode, settings);
    await benchNotifyCommits(sql);
    await benchOrderVisible(sql, bus, pg.url("orders"), kafka.connection(), settings, logger);
  } finally {
    for (const step of cleanup.reverse()) await step().catch((err) => console.error("cleanup:", err));
  }
}

/** A realistic event: a CheckoutFailed envelope (the smaller kind) for `key`. */
function benchEvent(key: string) {
  const checkoutId = randomUUID();
  const envelope = buildEnvelope({
    eventId: randomUUID(),
    aggregateId: checkoutId,
    occurredAt: new Date(),
    correlationId: checkoutId,
    payload: {
      case: "checkoutFailed",
      value: create(CheckoutFailedSchema, {
        checkoutId,
        userId: key,
        reasonCode: "PAYMENT_DECLINED",
        message: "card declined",
      }),
    },
  });
  return { eventId: envelope.eventId, aggregateId: checkoutId, payload: Buffer.from(encodeEnvelope(envelope)) };
}

async function benchDrain(sql: Sql, bus: EventPublisher, s: { rows: number; batch: number }) {
  await sql`truncate outbox`;
  const sample = benchEvent("user-0");
  // The same envelope bytes for every row: what is measured is moving rows, not encoding them.
  await sql`
    insert into outbox (event_id, aggregate_id, event_type, topic, message_key, payload, headers)
    select gen_random_uuid(), gen_random_uuid(), 'CheckoutFailed', ${CHECKOUT_EVENTS_TOPIC}, 'user-' || (g % 1000),
           ${sample.payload}, jsonb_build_object('event-type', 'CheckoutFailed')
    from generate_series(1, ${s.rows}) g`;
  await sql`vacuum analyze outbox`;
  const relay = createOutboxRelay(
    { sql, publisher: bus, signal: createOutboxSignal(), logger: createLogger("relay", { level: "warn" }) },
    { batchSize: s.batch, pollIntervalMs: 500 },
  );
  await relay.publishBatch(); // connects the producer outside the measurement
  const started = performance.now();
  let published = 0;
  for (let n = await relay.publishBatch(); n > 0; n = await relay.publishBatch()) published += n;
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `drain: ${published.toLocaleString()} events in ${seconds.toFixed(1)} s = ${Math.round(published / seconds).toLocaleString()} events/s (batch ${s.batch}, payload ${sample.payload.length} B, 1000 keys)`,
  );
}

/**
 * Open-loop writer: event i commits (in its own transaction, through the shared outbox writer)
 * at start + i/rate, whatever the relay does; latency is from the writer seeing its commit to the publisher seeing the ack.
 */
async function benchLatency(
  sql: Sql,
  bus: EventPublisher,
  mode: WakeMode,
  s: { rate: number; durationS: number; batch: number },
  report = true,
) {
  await sql`truncate outbox`;
  const committedAt = new Map<string, number>();
  const ackedAt = new Map<string, number>();
  const publisher: EventPublisher = {
    async publish(topic, messages) {
      await bus.publish(topic, messages);
      const now = performance.now();
      for (const m of messages) ackedAt.set(m.headers?.["event-id"] ?? "", now);
    },
  };
  const relaySignal = createOutboxSignal();
  const ring: OutboxSignal | undefined = mode === "signal" ? relaySignal : undefined;
  const listener = mode === "notify" ? await sql.listen("outbox_bench", () => relaySignal.notify()) : undefined;
  const relay = createOutboxRelay(
    { sql, publisher, signal: relaySignal, logger: createLogger("relay", { level: "warn" }) },
    mode === "poll-500"
      ? { batchSize: s.batch, pollIntervalMs: 500, minPollIntervalMs: 500 }
      : { batchSize: s.batch, pollIntervalMs: 500, minPollIntervalMs: 10 },
  );
  relay.start();

  const total = s.rate * s.durationS;
  const writes: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / s.rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const event = benchEvent(`user-${i % 1000}`);
    writes.push(
      sql
        .begin(async (tx) => {
          await writeOutboxMessage(tx, {
            eventId: event.eventId,
            aggregateId: event.aggregateId,
            eventType: "CheckoutFailed",
            topic: CHECKOUT_EVENTS_TOPIC,
            key: `user-${i % 1000}`,
            payload: event.payload,
            headers: { "event-id": event.eventId },
          });
          if (mode === "notify") await tx`select pg_notify('outbox_bench', '')`;
        })
        .then(() => {
          committedAt.set(event.eventId, performance.now());
          ring?.notify();
        }),
    );
  }
  await Promise.all(writes);
  const offered = total / ((performance.now() - start) / 1000);
  const deadline = Date.now() + 30_000;
  while (ackedAt.size < total && Date.now() < deadline) await sleep(20);
  await relay.stop();
  await listener?.unlisten();
  const latencies = [...committedAt].map(([id, t]) => Math.max(0, (ackedAt.get(id) ?? Number.NaN) - t));
  if (!report) return;
  console.log(
    `${summarize(`commit → publish, ${mode}`, latencies.filter(Number.isFinite))}  (${Math.round(offered)} events/s offered)`,
  );
}

/** Max commit rate of 16 writers, each inserting one row per transaction, with and without NOTIFY. */
async function benchNotifyCommits(sql: Sql) {
  for (const notify of [false, true]) {
    await sql`truncate outbox`;
    const until = performance.now() + 5_000;
    let commits = 0;
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        while (performance.now() < until) {
          const event = benchEvent(`user-${w}`);
          await sql.begin(async (tx) => {
            await tx`
              insert into outbox (event_id, aggregate_id, event_type, topic, message_key, payload)
              values (${event.eventId}, ${event.aggregateId}, 'CheckoutFailed', ${CHECKOUT_EVENTS_TOPIC}, ${`user-${w}`}, ${event.payload})`;
            if (notify) await tx`select pg_notify('outbox_bench', '')`;
          });
          commits++;
        }
      }),
    );
    console.log(
      `commit throughput, 16 writers, ${notify ? "with pg_notify" : "no notify     "}: ${Math.round(commits / 5)} commits/s`,
    );
  }
}

/** Completed checkouts through the real store, consumed by the real orders service over Kafka. */
async function benchOrderVisible(
  sql: Sql,
  bus: EventPublisher,
  ordersUrl: string,
  kafka: KafkaConnection,
  s: { checkoutRate: number; durationS: number; batch: number },
  logger: ReturnType<typeof createLogger>,
) {
  await sql`truncate outbox`;
  const ordersBus = createKafkaEventBus({ ...kafka, clientId: "bench-orders", logger });
  const orders = await startOrdersService(
    { port: 0, databaseUrl: ordersUrl, credentials: { required: false }, logLevel: "warn" },
    logger,
    {
      events: ordersBus,
    },
  );
  const signal = createOutboxSignal();
  const store = createPostgresCheckoutStore(sql, { leaseMs: 30_000, outboxSignal: signal });
  const relay = createOutboxRelay({ sql, publisher: bus, signal, logger }, { batchSize: s.batch, pollIntervalMs: 500 });
  relay.start();
  const ordersSql = createPostgres(ordersUrl, { max: 2 });
  try {
    // The consumer has joined its group once a first order appears; only then is the clock started.
    await completeCheckout(store, randomUUID(), "bench-warm-up");
    while (Number((await ordersSql<{ n: string }[]>`select count(*) as n from orders`)[0]?.n) === 0) await sleep(50);
    await ordersSql`truncate orders cascade`;
    const total = s.checkoutRate * s.durationS;
    const ids: string[] = [];
    const writes: Promise<void>[] = [];
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / s.checkoutRate - performance.now();
      if (wait > 1) await sleep(wait);
      const id = randomUUID();
      ids.push(id);
      writes.push(completeCheckout(store, id, `bench-user-${i % 500}`));
    }
    await Promise.all(writes);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [row] = await ordersSql<{ n: string }[]>`select count(*) as n from orders`;
      if (Number(row?.n) >= total || Date.now() > deadline) break;
      await sleep(100);
    }
    // Both timestamps from the one PostgreSQL server's clock: COMPLETED's transaction, the order's.
    const completed = await sql<
      { id: string; at: Date }[]
    >`select id, updated_at as at from checkout_sessions where id = any(${ids})`;
    const placed = await ordersSql<{ id: string; at: Date }[]>`select checkout_id as id, created_at as at from orders`;
    const placedAt = new Map(placed.map((p) => [p.id, p.at.getTime()]));
    const latencies = completed.map((c) => (placedAt.get(c.id) ?? Number.NaN) - c.at.getTime()).filter(Number.isFinite);
    console.log(
      `${summarize("checkout completed → order", latencies)}  (${s.checkoutRate} checkouts/s for ${s.durationS} s; ${placed.length}/${total} orders; ms resolution)`,
    );
  } finally {
    await relay.stop();
    await orders.stop();
    await ordersBus.close();
    await ordersSql.end();
  }
}

async function completeCheckout(store: ReturnType<typeof createPostgresCheckoutStore>, id: string, userId: string) {
  const owner = "bench";
  const checkout = {
    id,
    userId,
    total: { currency: "USD", amountMinor: 2_999 },
    totals: checkoutTotals([{ amount: money("USD", 2_999), taxClass: "standard" }], "USD"),
    items: [{ productId: "p-1", name: "Mouse", quantity: 1, unitPriceMinor: 2_999 }],
    shippingAddress: {
      name: "Bench",
      phone: "+1-555-0100",
      postalCode: "94105",
      region: "CA",
      city: "San Francisco",
      line1: "1 Market St",
      line2: "",
      country: "US",
    },
    paymentMethod: { type: "card" as const, token: "tok_visa" },
    stepMode: false,
    createdAt: new Date(),
  };
  await store.create(checkout, { key: id, fingerprint: "bench" }, owner);
  const now = new Date();
  const session: CheckoutSession = {
    ...checkout,
    status: "COMPLETED",
    paymentId: `pay-${id}`,
    reservationId: `res-${id}`,
    needsAttention: false,
    compensationAttempts: 0,
    createdAt: now,
    updatedAt: now,
    history: [],
  };
  await store.transition({
    id,
    owner,
    from: "INITIATED",
    to: "COMPLETED",
    reason: "bench",
    at: new Date(),
    outbox: { event: checkoutEndedEvent(session, now) },
  });
}
