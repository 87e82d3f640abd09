import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import {
  buildEnvelope,
  CHECKOUT_EVENTS_TOPIC,
  createKafkaEventBus,
  createPostgres,
  createServiceClient,
  createServiceTransport,
  deadLetterTopic,
  encodeEnvelope,
  type KafkaEventBus,
  ORDER_EVENTS_TOPIC,
  type Sql,
} from "@checkout-saga/shared";
import {
  CheckoutCompletedSchema,
  type EventEnvelope,
  OrderCancelledSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import { PointsService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/points_pb";
import { createTestDatabase, testLogger } from "@checkout-saga/shared/testing";
import { type Admin, AssignerProtocol, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKafkaTopics, type RunningKafka, startKafka } from "../../scripts/provision/servers.js";
import { KAFKA_USERS } from "../../scripts/stack/topology.js";
import type { PointsLedger } from "../src/domain/points.js";
import { PAYMENT_CONSUMER_GROUP, subscribeToPointsEvents } from "../src/events/points-events-consumer.js";
import type { PaymentService } from "../src/index.js";
import { createPostgresPoints } from "../src/store/postgres-points.js";
import { eventually, startTestPaymentService } from "./support.js";

/**
 * The points consumer against a real broker, everyone as their own Kafka user with the stack's
 * grants: the checkout service writes CheckoutCompleted to checkout-events, the orders service
 * OrderCancelled to order-events, and the payment service reads both as one group.
 */
let kafka: RunningKafka;
let kafkaDir: string;
let admin: Admin;
let databaseUrl: string;
let sql: Sql;
let paymentBus: KafkaEventBus;
let service: PaymentService | undefined;
let checkoutBus: KafkaEventBus;
let ordersBus: KafkaEventBus;
let points: ReturnType<typeof createServiceClient<typeof PointsService>>;

const busAs = (user: string) =>
  createKafkaEventBus({
    ...kafka.connection(user),
    clientId: `${user}-${randomUUID()}`,
    logger: testLogger(user),
    retryDelayMs: 20,
  });

async function startService() {
  paymentBus = busAs("payment-service");
  ({ service } = await startTestPaymentService(databaseUrl, {}, testLogger("payment-service"), { events: paymentBus }));
  points = createServiceClient(PointsService, createServiceTransport(`http://127.0.0.1:${service.port}`));
}

async function stopService() {
  await service?.stop();
  service = undefined;
  await paymentBus?.close();
}

beforeAll(async () => {
  kafkaDir = await mkdtemp(path.join(os.tmpdir(), "payment-points-kafka-"));
  // Provisions Kafka itself when needed: the jars come from the cache after the first run.
  kafka = await startKafka({ dataDir: kafkaDir, users: KAFKA_USERS });
  await createKafkaTopics(
    kafka.admin,
    [CHECKOUT_EVENTS_TOPIC, ORDER_EVENTS_TOPIC].flatMap((topic) => [
      { topic, partitions: 3 },
      { topic: deadLetterTopic(topic), partitions: 1 },
    ]),
  );
  admin = new Kafka({ clientId: "test-admin", ...kafka.admin, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  databaseUrl = await createTestDatabase("payment_points_kafka");
  sql = createPostgres(databaseUrl, { max: 2 });
  checkoutBus = busAs("checkout-service");
  ordersBus = busAs("orders-service");
  await startService();
}, 600_000);

afterAll(async () => {
  await stopService();
  await checkoutBus?.close();
  await ordersBus?.close();
  await admin?.disconnect();
  await sql?.end();
  await kafka?.stop();
  if (kafkaDir) await rm(kafkaDir, { recursive: true, force: true });
}, 60_000);

function checkoutCompleted(checkoutId: string, userId: string, chargedYen: number, eventId = randomUUID()) {
  return buildEnvelope({
    eventId,
    aggregateId: checkoutId,
    occurredAt: new Date(),
    payload: {
      case: "checkoutCompleted",
      value: create(CheckoutCompletedSchema, {
        checkoutId,
        userId,
        total: { currency: "JPY", amountMinor: BigInt(chargedYen) },
      }),
    },
  });
}

function orderCancelled(checkoutId: string, userId: string, refundYen: number, orderStatus: string) {
  const cancellationId = randomUUID();
  return buildEnvelope({
    eventId: randomUUID(),
    aggregateId: `order-${checkoutId}`,
    occurredAt: new Date(),
    payload: {
      case: "orderCancelled",
      value: create(OrderCancelledSchema, {
        orderId: `order-${checkoutId}`,
        userId,
        cancellationId,
        checkoutId,
        refund: { currency: "JPY", amountMinor: BigInt(refundYen) },
        orderStatus,
      }),
    },
  });
}

const message = (e: EventEnvelope) => ({ key: e.payload.case ? e.payload.value.userId : "", value: encodeEnvelope(e) });

/** Messages on `topic` the payment-service group has not committed past. */
async function uncommitted(topic: string): Promise<number> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId: PAYMENT_CONSUMER_GROUP, topics: [topic] }),
  ]);
  const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  return ends.reduce((sum, p) => sum + Number(p.high) - Math.max(at.get(p.partition) ?? 0, Number(p.low)), 0);
}

/** Resolves once the group has committed everything on `topic`: every message there was handled. */
const allCommitted = (topic: string) =>
  eventually(async () => ((await uncommitted(topic)) === 0 ? true : undefined), 30_000);

const account = (userId: string) => points.getPoints({ userId });

describe("the points consumer on Kafka", () => {
  it("earns once from a CheckoutCompleted on checkout-events, however often it is delivered", async () => {
    const completed = checkoutCompleted("kafka-earn-1", "kafka-earner", 12_345);
    // The relay's at-least-once: the same event twice, and a replay of the checkout under another event id.
    await checkoutBus.publish(CHECKOUT_EVENTS_TOPIC, [message(completed), message(completed)]);
    await checkoutBus.publish(CHECKOUT_EVENTS_TOPIC, [
      message(checkoutCompleted("kafka-earn-1", "kafka-earner", 12_345, "a-replay-with-another-id")),
    ]);
    await allCommitted(CHECKOUT_EVENTS_TOPIC);
    const { balance, lots, history } = await account("kafka-earner");
    expect(balance).toBe(123n);
    expect(lots.map((l) => [l.checkoutId, l.points])).toEqual([["kafka-earn-1", 123n]]);
    expect(history.map((e) => [e.reason, e.delta])).toEqual([["earned", 123n]]);
  }, 60_000);

  it("takes back pro rata from OrderCancelled on order-events, and the rest when the order is cancelled", async () => {
    await checkoutBus.publish(CHECKOUT_EVENTS_TOPIC, [
      message(checkoutCompleted("kafka-back-1", "kafka-taker", 33_333)),
    ]);
    await eventually(async () => ((await account("kafka-taker")).balance === 333n ? true : undefined));

    // Just under a third of the money back: floor(333·11,110/33,333) = 110 points taken back.
    await ordersBus.publish(ORDER_EVENTS_TOPIC, [
      message(orderCancelled("kafka-back-1", "kafka-taker", 11_110, "CONFIRMED")),
    ]);
    await allCommitted(ORDER_EVENTS_TOPIC);
    expect((await account("kafka-taker")).balance).toBe(223n);

    // The order's last lines: everything still earned goes back.
    await ordersBus.publish(ORDER_EVENTS_TOPIC, [
      message(orderCancelled("kafka-back-1", "kafka-taker", 22_223, "CANCELLED")),
    ]);
    await allCommitted(ORDER_EVENTS_TOPIC);
    const { balance, history } = await account("kafka-taker");
    expect(balance).toBe(0n);
    expect(history.map((e) => [e.reason, e.delta, e.orderId])).toEqual([
      ["taken_back", -223n, "order-kafka-back-1"],
      ["taken_back", -110n, "order-kafka-back-1"],
      ["earned", 333n, ""],
    ]);
  }, 60_000);

  it("reads both topics as the one payment-service group", async () => {
    const { groups } = await admin.describeGroups([PAYMENT_CONSUMER_GROUP]);
    const members = groups[0]?.members ?? [];
    expect(members).toHaveLength(1);
    const assigned = members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment);
    expect(assigned.map((a) => Object.keys(a ?? {}).sort())).toEqual([[CHECKOUT_EVENTS_TOPIC, ORDER_EVENTS_TOPIC]]);
    // Nobody else consumes here: the publishers keep no group of their own.
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toEqual([PAYMENT_CONSUMER_GROUP]);
  });

  it("commits an event's offset only after its effect: one whose earning failed is delivered again", async () => {
    await stopService();
    // The same consumer, as the payment-service group, on a ledger whose database fails at the earning.
    let entered: () => void = () => {};
    const earning = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let fail: (err: Error) => void = () => {};
    const failed = new Promise<never>((_, reject) => {
      fail = reject;
    });
    const ledger = createPostgresPoints(sql, () => new Date());
    const failing: PointsLedger = {
      ...ledger,
      earn: () => {
        entered();
        return failed;
      },
    };
    const bus = busAs("payment-service");
    const subscription = await subscribeToPointsEvents({ events: bus, points: failing, logger: testLogger() });
    await checkoutBus.publish(CHECKOUT_EVENTS_TOPIC, [message(checkoutCompleted("kafka-late-1", "kafka-late", 5_000))]);
    await earning;
    // While the earning has not happened, its offset is not committed, however long it takes.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await uncommitted(CHECKOUT_EVENTS_TOPIC)).toBe(1);
    // The consumer goes away while its earning fails: nothing was earned, nothing committed.
    const closed = subscription.close();
    fail(new Error("the database went away"));
    await closed;
    await bus.close();
    expect(await uncommitted(CHECKOUT_EVENTS_TOPIC)).toBe(1);
    expect((await ledger.account("kafka-late", 10)).balance).toBe(0);

    // The service back: the event is delivered again and earns, once.
    await startService();
    await allCommitted(CHECKOUT_EVENTS_TOPIC);
    const { balance, history } = await account("kafka-late");
    expect(balance).toBe(50n);
    expect(history.map((e) => [e.reason, e.delta])).toEqual([["earned", 50n]]);
  }, 120_000);
});
