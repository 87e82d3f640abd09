import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startOrdersService } from "@checkout-saga/orders-service";
import {
  CHECKOUT_EVENTS_TOPIC,
  createKafkaDeadLetters,
  createKafkaEventBus,
  createOutboxRelay,
  createOutboxSignal,
  createPostgres,
  DEAD_LETTER_HEADERS,
  deadLetterTopic,
  decodeEnvelope,
  type EventPublisher,
  type KafkaConnection,
  type KafkaEventBus,
  type OutboxRelay,
  type Sql,
} from "@checkout-saga/shared";
import { freePort } from "@checkout-saga/shared/dev";
import { CREDENTIALS_OFF, createTestDatabase, testLogger } from "@checkout-saga/shared/testing";
import { type Admin, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKafkaTopics, type RunningKafka, startKafka } from "../../scripts/provision/servers.js";
import { KAFKA_USERS } from "../../scripts/stack/topology.js";
import { checkoutDeadLetterQueue } from "../src/outbox/checkout-dead-letters.js";
import { migrateCheckoutDatabase } from "../src/store/migrate-checkout-database.js";
import { createPostgresCheckoutStore } from "../src/store/postgres-checkout-store.js";
import { completeCheckout, runOutboxCli, writePoisonEvent } from "./outbox-fixture.js";
import { eventually } from "./support.js";

/** The outage: long enough for every kafkajs retry in the relay and the consumer to give up at least once. */
const OUTAGE_MS = 30_000;
const CONSUMER_MAX_ATTEMPTS = 3;

/**
 * Faults on a real Kafka broker (a child process, restarted on the same data dir and ports):
 * outbox rows written by the real store, published by the relay through the Kafka bus, and
 * consumed by the real orders service as group "orders-service". Each client is the Kafka user
 * the stack gives it, with that user's ACLs (relay: checkout-service, consumer: orders-service,
 * CLI: outbox-cli), so a grant the stack's users lack fails here too.
 */
describe("outbox relay and consumers on real Kafka", () => {
  let dataDir: string;
  let kafkaPorts: { port: number; controllerPort: number };
  let kafka: RunningKafka | undefined;
  let checkoutDb: string;
  let sql: Sql;
  let ordersSql: Sql;
  let relayBus: KafkaEventBus;
  let ordersBus: KafkaEventBus;
  let orders: Awaited<ReturnType<typeof startOrdersService>>;
  let store: ReturnType<typeof createPostgresCheckoutStore>;
  const signal = createOutboxSignal();
  const relays: OutboxRelay[] = [];
  const logger = testLogger("outbox-kafka");

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "checkout-saga-test-outbox-kafka-"));
    kafkaPorts = { port: await freePort(), controllerPort: await freePort() };
    kafka = await startKafka({ dataDir, ...kafkaPorts, users: KAFKA_USERS });
    await createKafkaTopics(kafka.admin, [
      { topic: CHECKOUT_EVENTS_TOPIC, partitions: 3 },
      { topic: deadLetterTopic(CHECKOUT_EVENTS_TOPIC), partitions: 1 },
    ]);
    checkoutDb = await createTestDatabase("checkout_outbox_kafka");
    await migrateCheckoutDatabase(checkoutDb);
    sql = createPostgres(checkoutDb);
    store = createPostgresCheckoutStore(sql, { leaseMs: 30_000, outboxSignal: signal });
    const ordersDb = await createTestDatabase("orders_outbox_kafka");
    ordersBus = createKafkaEventBus({
      ...kafka.connection("orders-service"),
      clientId: "orders-test",
      logger,
      maxAttempts: CONSUMER_MAX_ATTEMPTS,
      retryDelayMs: 50,
    });
    orders = await startOrdersService(
      { port: 0, databaseUrl: ordersDb, credentials: CREDENTIALS_OFF, logLevel: "silent" },
      logger,
      {
        events: ordersBus,
      },
    );
    ordersSql = createPostgres(ordersDb, { max: 2 });
    relayBus = createKafkaEventBus({
      ...kafka.connection("checkout-service"),
      clientId: "relay-test",
      logger,
      publishRetries: 2,
    });
  }, 180_000);

  afterAll(async () => {
    for (const relay of relays) await relay.stop();
    await orders?.stop();
    await ordersBus?.close();
    await relayBus?.close();
    await sql?.end();
    await ordersSql?.end();
    await kafka?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 90_000);

  function startRelay(publisher: EventPublisher = relayBus): OutboxRelay {
    const relay = createOutboxRelay(
      { sql, publisher, signal, logger },
      { batchSize: 100, pollIntervalMs: 100, maxBackoffMs: 1_000 },
    );
    relays.push(relay);
    relay.start();
    return relay;
  }

  async function stopRelay(relay: OutboxRelay) {
    await relay.stop();
    relays.splice(relays.indexOf(relay), 1);
  }

  const pending = async () => Number((await sql`select count(*) from outbox where published_at is null`)[0]!.count);

  /** checkout id → how many orders exist for it. */
  async function ordersPerCheckout(checkoutIds: string[]): Promise<Map<string, number>> {
    const rows = await ordersSql<{ checkout_id: string; n: string }[]>`
      select checkout_id, count(*) as n from orders where checkout_id = any(${checkoutIds}) group by checkout_id`;
    return new Map(rows.map((r) => [r.checkout_id, Number(r.n)]));
  }

  async function everyOrderOnce(checkoutIds: string[], timeoutMs: number) {
    await eventually(
      "one order per checkout",
      async () => ((await ordersPerCheckout(checkoutIds)).size === checkoutIds.length ? true : undefined),
      timeoutMs,
    );
    const counts = await ordersPerCheckout(checkoutIds);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  }

  async function asBrokerAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = new Kafka({ clientId: "test-admin", ...kafka!.admin, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      return await use(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** Messages on the topic so far (sum of the partitions' high watermarks). */
  const topicSize = (topic: string) =>
    asBrokerAdmin(async (admin) => (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0));

  const consumerGroups = () => asBrokerAdmin(async (admin) => (await admin.listGroups()).groups.map((g) => g.groupId));

  it("relay killed between the broker's ack and marking the batch: nothing lost, consumers absorb the duplicates", async () => {
    const checkouts = [];
    for (let i = 0; i < 10; i++) checkouts.push(await completeCheckout(store, `crash-user-${i % 3}`));
    const before = await topicSize(CHECKOUT_EVENTS_TOPIC);
    // Publishes for real, then dies before the update that marks the rows.
    const crashing = createOutboxRelay(
      {
        sql,
        publisher: {
          async publish(topic, messages) {
            await relayBus.publish(topic, messages);
            throw new Error("relay killed after the broker acked");
          },
        },
        signal,
        logger,
      },
      { batchSize: 100, pollIntervalMs: 100 },
    );
    await expect(crashing.publishBatch()).rejects.toThrow("relay killed");
    expect(await pending()).toBe(10);

    const restarted = startRelay();
    await everyOrderOnce(
      checkouts.map((c) => c.checkoutId),
      30_000,
    );
    await eventually("the outbox drained", async () => ((await pending()) === 0 ? true : undefined));
    // Every event really went out twice, and still one order each.
    expect((await topicSize(CHECKOUT_EVENTS_TOPIC)) - before).toBe(20);
    await stopRelay(restarted);
  }, 60_000);

  it("parks a poison event on the dead-letter topic while later events of its key are still handled", async () => {
    const testStarted = new Date();
    const relay = startRelay();
    const poison = await writePoisonEvent(sql, "poison-user");
    signal.notify();
    const later = [await completeCheckout(store, "poison-user"), await completeCheckout(store, "poison-user")];

    await everyOrderOnce(
      later.map((c) => c.checkoutId),
      30_000,
    );
    const env = { ...kafka!.env("outbox-cli"), CHECKOUT_DATABASE_URL: checkoutDb };
    const listed = await eventually(
      "the poison event dead-lettered",
      async () => {
        const r = await runOutboxCli(["dead-letters", "list", "--json"], env);
        const entries = r.code === 0 ? (JSON.parse(r.stdout) as DeadLetterJson[]) : [];
        return entries.length > 0 ? entries : undefined;
      },
      30_000,
    );
    expect(listed).toEqual([
      expect.objectContaining({
        event_id: poison.eventId,
        pending: true,
        group: "orders-service",
        attempts: CONSUMER_MAX_ATTEMPTS,
        key: "poison-user",
        original: expect.objectContaining({ topic: CHECKOUT_EVENTS_TOPIC }),
      }),
    ]);
    expect(listed[0]?.error).toContain("checkout_id is missing");

    // Once "fixed", republish sends it back with its event id and moves the group past it.
    const topicBefore = await topicSize(CHECKOUT_EVENTS_TOPIC);
    const republished = await runOutboxCli(["dead-letters", "republish"], env);
    expect(republished.stderr).toBe("");
    expect(republished.code).toBe(0);
    expect(republished.stdout).toContain(`event=${poison.eventId}`);
    expect(republished.stdout).toContain("republished 1 dead letter(s) to checkout-events");
    expect(await topicSize(CHECKOUT_EVENTS_TOPIC)).toBe(topicBefore + 1);
    const sentBack = await lastMessage(kafka!.admin, "poison-user");
    expect(sentBack.eventId).toBe(poison.eventId);
    expect(sentBack.headers[DEAD_LETTER_HEADERS.error]).toBeUndefined();
    // Still poison: dead-lettered again, and only that new copy is pending.
    const again = await eventually(
      "the republished copy dead-lettered again",
      async () => {
        const r = await runOutboxCli(["dead-letters", "list", "--all", "--json"], env);
        const entries = JSON.parse(r.stdout) as DeadLetterJson[];
        return entries.length === 2 ? entries : undefined;
      },
      30_000,
    );
    expect(again.map((e) => e.pending)).toEqual([false, true]);

    // ListDeadLetters' reader, as the checkout service's Kafka user, sees the same two and which was sent back.
    const reader = createKafkaDeadLetters(
      checkoutDeadLetterQueue(kafka!.connection("checkout-service"), "checkout-service-dead-letters"),
      relayBus,
    );
    const seen = await reader.list({ limit: 10, includeRepublished: true });
    expect(seen.total).toBe(2);
    const onDlq = { topic: deadLetterTopic(CHECKOUT_EVENTS_TOPIC), partition: 0 };
    const parked = {
      topic: CHECKOUT_EVENTS_TOPIC,
      key: "poison-user",
      eventId: poison.eventId,
      group: "orders-service",
      attempts: CONSUMER_MAX_ATTEMPTS,
      position: expect.objectContaining(onDlq),
    };
    expect(seen.deadLetters).toMatchObject([
      { ...parked, pending: false },
      { ...parked, pending: true },
    ]);
    expect(seen.deadLetters[0]?.error).toContain("checkout_id is missing");
    expect(seen.deadLetters[0]!.parkedAt.getTime()).toBeGreaterThanOrEqual(testStarted.getTime());
    expect(seen.deadLetters[1]!.parkedAt.getTime()).toBeGreaterThanOrEqual(seen.deadLetters[0]!.parkedAt.getTime());
    const pendingOnly = await reader.list({ limit: 10, includeRepublished: false });
    expect(pendingOnly).toMatchObject({ total: 1, deadLetters: [{ ...parked, pending: true }] });
    expect(pendingOnly.deadLetters[0]?.position?.offset).toBe(seen.deadLetters[1]?.position?.offset);
    // Its throwaway groups are gone once it answered.
    expect((await consumerGroups()).filter((g) => g.startsWith("checkout-service-dead-letters"))).toEqual([]);

    // RepublishDeadLetters, as the same user, sends the pending copy back through the relay's producer.
    const sent = await reader.republish();
    expect(sent).toMatchObject({ republished: [{ ...parked, pending: false }], skipped: [] });
    expect(sent.republished[0]?.position?.offset).toBe(seen.deadLetters[1]?.position?.offset);
    expect(await topicSize(CHECKOUT_EVENTS_TOPIC)).toBe(topicBefore + 2);
    const third = await eventually(
      "the service's republished copy dead-lettered again",
      async () => {
        const all = await reader.list({ limit: 10, includeRepublished: true });
        return all.total === 3 ? all : undefined;
      },
      30_000,
    );
    expect(third.deadLetters.map((d) => d.pending)).toEqual([false, false, true]);
    await stopRelay(relay);
  }, 120_000);

  it("replays a published event to Kafka with the same event id; the consumer keeps one order", async () => {
    const relay = startRelay();
    const checkout = await completeCheckout(store, "replay-user");
    await everyOrderOnce([checkout.checkoutId], 30_000);
    await eventually("published", async () => ((await pending()) === 0 ? true : undefined));
    const before = await topicSize(CHECKOUT_EVENTS_TOPIC);

    const r = await runOutboxCli(["replay", "--aggregate", checkout.checkoutId], {
      ...kafka!.env("outbox-cli"),
      CHECKOUT_DATABASE_URL: checkoutDb,
    });

    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^sent .*event=${checkout.eventId}$`, "m"));
    expect(r.stdout).toContain("sent 1 event(s) via kafka");
    expect(await topicSize(CHECKOUT_EVENTS_TOPIC)).toBe(before + 1);
    expect((await lastMessage(kafka!.admin, "replay-user")).eventId).toBe(checkout.eventId);
    await sleep(500);
    expect(await ordersPerCheckout([checkout.checkoutId])).toEqual(new Map([[checkout.checkoutId, 1]]));
    await stopRelay(relay);
  }, 60_000);

  it("broker down for 30 s while checkouts continue: every checkout completes, every order appears once when it is back", async () => {
    startRelay();
    const before = [];
    for (let i = 0; i < 5; i++) before.push(await completeCheckout(store, `outage-user-${i}`));
    await everyOrderOnce(
      before.map((c) => c.checkoutId),
      30_000,
    );

    await kafka!.stop();
    kafka = undefined;
    const during = [];
    const outageEnds = Date.now() + OUTAGE_MS;
    for (let i = 0; Date.now() < outageEnds; i++) {
      // Checkouts commit without the broker: the event waits in the outbox.
      during.push(await completeCheckout(store, `outage-user-${i % 7}`));
      await sleep(250);
    }
    expect(await pending()).toBe(during.length);

    kafka = await startKafka({ dataDir, ...kafkaPorts, users: KAFKA_USERS });
    const after = [];
    for (let i = 0; i < 5; i++) after.push(await completeCheckout(store, `outage-user-${i}`));

    const all = [...before, ...during, ...after].map((c) => c.checkoutId);
    await everyOrderOnce(all, 60_000);
    await eventually("the outbox drained", async () => ((await pending()) === 0 ? true : undefined), 30_000);
    const [count] = await ordersSql<{ n: string }[]>`
        select count(*) as n from orders where user_id like 'outage-user-%'`;
    expect(Number(count?.n)).toBe(all.length);
  }, 150_000);
});

interface DeadLetterJson {
  event_id: string | null;
  pending: boolean;
  group: string;
  attempts: number;
  key: string;
  error: string;
  original: { topic: string; partition: number; offset: string };
}

/** The newest message of `key` on checkout-events (one key, one partition: the highest offset), read by a throwaway group. */
async function lastMessage(connection: KafkaConnection, key: string) {
  const kafka = new Kafka({ clientId: "test-reader", ...connection, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(CHECKOUT_EVENTS_TOPIC);
  await admin.disconnect();
  const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  const consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  const seen: { offset: bigint; eventId: string; key: string; headers: Record<string, string> }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [CHECKOUT_EVENTS_TOPIC], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({
          offset: BigInt(message.offset),
          eventId: decodeEnvelope(message.value ?? new Uint8Array()).eventId,
          key: String(message.key),
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
      },
    });
    await eventually("the topic read", async () => (seen.length >= total ? true : undefined), 20_000);
  } finally {
    await consumer.disconnect();
  }
  const ofKey = seen.filter((m) => m.key === key);
  if (ofKey.length === 0) throw new Error(`no message with key ${key}`);
  return ofKey.reduce((a, b) => (b.offset > a.offset ? b : a));
}
