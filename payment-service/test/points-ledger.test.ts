import { fileURLToPath } from "node:url";
import { create } from "@bufbuild/protobuf";
import {
  buildEnvelope,
  CHECKOUT_EVENTS_TOPIC,
  createInProcessEventBus,
  createPostgres,
  encodeEnvelope,
  migratePostgres,
  ORDER_EVENTS_TOPIC,
  type Sql,
} from "@checkout-saga/shared";
import {
  CheckoutCompletedSchema,
  OrderCancelledSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import { createTestDatabase, testLogger } from "@checkout-saga/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderCancellation, PointsLedger } from "../src/domain/points.js";
import { subscribeToPointsEvents } from "../src/events/points-events-consumer.js";
import { createPostgresPoints } from "../src/store/postgres-points.js";

const DAY = 24 * 3600 * 1000;
let now = new Date("2026-01-10T00:00:00Z");
let sql: Sql;
let ledger: PointsLedger;

beforeAll(async () => {
  const databaseUrl = await createTestDatabase("payment_points_ledger");
  await migratePostgres(databaseUrl, fileURLToPath(new URL("../drizzle", import.meta.url)), 50054);
  sql = createPostgres(databaseUrl);
  ledger = createPostgresPoints(sql, () => now);
});

afterAll(async () => {
  await sql?.end();
});

const earn = (userId: string, checkoutId: string, chargedYen: number, eventId = `completed-${checkoutId}`) =>
  ledger.earn({ eventId, checkoutId, userId, charged: { currency: "JPY", amountMinor: chargedYen }, completedAt: now });

const cancel = (
  userId: string,
  checkoutId: string,
  cancellationId: string,
  refundedMinor: number,
  last = false,
): OrderCancellation => ({
  eventId: `cancelled-${cancellationId}`,
  cancellationId,
  checkoutId,
  orderId: `order-${checkoutId}`,
  userId,
  refundedMinor,
  ordersLastLines: last,
});

const balance = async (userId: string) => (await ledger.account(userId, 100)).balance;

describe("earning", () => {
  it("earns 1% of the yen charged, rounded down, once per checkout, as a lot expiring a year later", async () => {
    expect(await earn("earner", "e-1", 12_345)).toEqual({ earned: 123, created: true });
    expect(await earn("earner", "e-1", 12_345, "a-replay-with-another-id")).toEqual({ earned: 0, created: false });
    const account = await ledger.account("earner", 10);
    expect(account.balance).toBe(123);
    expect(account.lots[0]?.expiresAt).toEqual(new Date(now.getTime() + 365 * DAY));
    expect(account.history.map((e) => [e.reason, e.delta])).toEqual([["earned", 123]]);
  });

  it("earns nothing outside yen", async () => {
    await ledger.earn({
      eventId: "usd",
      checkoutId: "e-usd",
      userId: "dollar",
      charged: { currency: "USD", amountMinor: 100_000 },
      completedAt: now,
    });
    expect(await balance("dollar")).toBe(0);
  });
});

describe("taking back", () => {
  it("takes back pro rata, cumulatively, and everything on the order's last lines", async () => {
    await earn("pro-rata", "t-1", 10_000); // 100 points
    // 3 cancellations of 3333: floor(100·3333/10000)=33, then 66−33=33, then the rest, 34.
    expect(await ledger.takeBack(cancel("pro-rata", "t-1", "c1", 3_333))).toMatchObject({ takenBack: 33 });
    expect(await ledger.takeBack(cancel("pro-rata", "t-1", "c2", 3_333))).toMatchObject({ takenBack: 33 });
    expect(await ledger.takeBack(cancel("pro-rata", "t-1", "c2", 3_333))).toMatchObject({ takenBack: 0 });
    expect(await ledger.takeBack(cancel("pro-rata", "t-1", "c3", 3_334, true))).toMatchObject({ takenBack: 34 });
    expect(await balance("pro-rata")).toBe(0);
  });

  it("takes back only what the balance holds, naming the shortfall", async () => {
    await earn("spender", "t-2", 5_000); // 50 points
    await ledger.redeem({ userId: "spender", redemptionKey: "spent", points: 45, checkoutId: "later" });
    expect(await ledger.takeBack(cancel("spender", "t-2", "c-spent", 5_000, true))).toEqual({
      takenBack: 5,
      shortfall: 45,
      pending: false,
    });
    const [entry] = (await ledger.account("spender", 1)).history;
    expect(entry).toMatchObject({ delta: -5, reason: "taken_back (short 45: already spent)", orderId: "order-t-2" });
    expect(await balance("spender")).toBe(0);
  });

  it("applies a cancellation that overtook its earning once the earning comes", async () => {
    expect(await ledger.takeBack(cancel("early", "t-3", "c-early", 2_000))).toMatchObject({ pending: true });
    expect(await balance("early")).toBe(0);
    await earn("early", "t-3", 10_000);
    expect(await balance("early")).toBe(80);
    expect((await ledger.account("early", 10)).history.map((e) => [e.reason, e.delta])).toEqual([
      ["taken_back", -20],
      ["earned", 100],
    ]);
  });
});

describe("expiry", () => {
  it("expires each lot once, with its entry, however many sweepers run", async () => {
    now = new Date("2026-02-01T00:00:00Z");
    await earn("expiring", "x-1", 3_000);
    await ledger.redeem({ userId: "expiring", redemptionKey: "x-spend", points: 10, checkoutId: "x-spend" });
    now = new Date(now.getTime() + 365 * DAY);
    expect(await balance("expiring")).toBe(0);
    const swept = await Promise.all([ledger.expireLots(100), ledger.expireLots(100)]);
    expect(swept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    const history = (await ledger.account("expiring", 10)).history;
    expect(history.filter((e) => e.reason === "expired").map((e) => e.delta)).toEqual([-20]);
    // Points given back to the expired lot expire at once.
    await ledger.giveBack({ redemptionKey: "x-spend", reason: "checkout failed" });
    expect(await balance("expiring")).toBe(0);
    expect((await ledger.account("expiring", 2)).history.map((e) => [e.reason, e.delta])).toEqual([
      ["expired", -10],
      ["returned", 10],
    ]);
  });
});

/** A CheckoutCompleted envelope charging `total` (currency, minor units). */
const completedEvent = (checkoutId: string, userId: string, total: { currency: string; amountMinor: bigint }) =>
  buildEnvelope({
    eventId: `evt-completed-${checkoutId}`,
    aggregateId: checkoutId,
    occurredAt: now,
    payload: { case: "checkoutCompleted", value: create(CheckoutCompletedSchema, { checkoutId, userId, total }) },
  });

/** An OrderCancelled envelope for `checkoutId`'s order, refunding `refund`. */
const cancelledEvent = (
  checkoutId: string,
  userId: string,
  cancellationId: string,
  refund: { currency: string; amountMinor: bigint },
  orderStatus: string,
) =>
  buildEnvelope({
    eventId: `evt-cancelled-${cancellationId}`,
    aggregateId: `order-${checkoutId}`,
    occurredAt: now,
    payload: {
      case: "orderCancelled",
      value: create(OrderCancelledSchema, {
        orderId: `order-${checkoutId}`,
        userId,
        cancellationId,
        checkoutId,
        refund,
        orderStatus,
      }),
    },
  });

describe("the payment-service consumer", () => {
  it("earns from CheckoutCompleted and takes back from OrderCancelled on the in-process bus", async () => {
    const bus = createInProcessEventBus({ logger: testLogger() });
    const subscription = await subscribeToPointsEvents({ events: bus, points: ledger, logger: testLogger() });
    const completed = completedEvent("bus-1", "bus-user", { currency: "JPY", amountMinor: 20_000n });
    const cancelled = cancelledEvent(
      "bus-1",
      "bus-user",
      "bus-c1",
      { currency: "JPY", amountMinor: 5_000n },
      "CONFIRMED",
    );
    await bus.publish(ORDER_EVENTS_TOPIC, [{ key: "bus-user", value: encodeEnvelope(cancelled) }]);
    await bus.publish(CHECKOUT_EVENTS_TOPIC, [{ key: "bus-user", value: encodeEnvelope(completed) }]);
    await bus.publish(CHECKOUT_EVENTS_TOPIC, [{ key: "bus-user", value: encodeEnvelope(completed) }]);
    expect(await balance("bus-user")).toBe(150);
    expect(bus.deadLetters).toEqual([]);
    await subscription.close();
  });

  it("leaves the ledger untouched for a checkout and a cancellation in another currency", async () => {
    const bus = createInProcessEventBus({ logger: testLogger() });
    const subscription = await subscribeToPointsEvents({ events: bus, points: ledger, logger: testLogger() });
    const completed = completedEvent("usd-1", "usd-user", { currency: "USD", amountMinor: 20_000n });
    const cancelled = cancelledEvent(
      "usd-1",
      "usd-user",
      "usd-c1",
      { currency: "USD", amountMinor: 5_000n },
      "CANCELLED",
    );
    await bus.publish(CHECKOUT_EVENTS_TOPIC, [{ key: "usd-user", value: encodeEnvelope(completed) }]);
    await bus.publish(ORDER_EVENTS_TOPIC, [{ key: "usd-user", value: encodeEnvelope(cancelled) }]);
    const rows = await sql<{ n: number }[]>`
      select (select count(*) from points_earnings where checkout_id = 'usd-1')
        + (select count(*) from points_take_backs where checkout_id = 'usd-1')
        + (select count(*) from points_accounts where user_id = 'usd-user') as n`;
    expect(Number(rows[0]?.n)).toBe(0);
    expect(bus.deadLetters).toEqual([]);
    await subscription.close();
  });
});
