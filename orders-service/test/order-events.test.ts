import { create } from "@bufbuild/protobuf";
import { buildEnvelope } from "@checkout-saga/shared";
import { MoneySchema } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import { CheckoutFailedSchema, EventEnvelopeSchema } from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import { OrderStatus } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkoutCompleted, publish, startTestOrders } from "./orders-fixture.js";

let t: Awaited<ReturnType<typeof startTestOrders>>;

beforeAll(async () => {
  t = await startTestOrders();
});

afterAll(async () => {
  await t?.service.stop();
});

const ordersOf = async (userId: string, checkoutId = "") =>
  (await t.client.listOrders({ userId, checkoutId, pageSize: 100 })).orders;

describe("CheckoutCompleted → order", () => {
  it("creates a CONFIRMED order with its lines and total", async () => {
    const event = checkoutCompleted({ userId: "alice" });
    await publish(t.bus, event);

    const [order, ...others] = await ordersOf("alice", event.aggregateId);
    expect(others).toEqual([]);
    expect(order).toMatchObject({
      checkoutId: event.aggregateId,
      userId: "alice",
      status: OrderStatus.CONFIRMED,
      total: { currency: "USD", amountMinor: 129999n + 2n * 2999n },
      paymentId: `pay-${event.aggregateId}`,
      shippingAddress: { name: "Alice Example", postalCode: "100-0001", region: "Tokyo", country: "JP" },
      items: [
        { productId: "1", name: "Laptop", quantity: 1, unitPrice: { currency: "USD", amountMinor: 129999n } },
        { productId: "2", name: "Mouse", quantity: 2, unitPrice: { currency: "USD", amountMinor: 2999n } },
      ],
    });
    expect(order?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(order?.createdAt).toBeDefined();
  });

  it("creates one order when the same event is delivered twice", async () => {
    const event = checkoutCompleted({ userId: "bob" });
    await publish(t.bus, event);
    await publish(t.bus, event);

    const orders = await ordersOf("bob", event.aggregateId);
    expect(orders).toHaveLength(1);
    expect(orders[0]?.items).toHaveLength(2);
  });

  it("creates one order when a different event reports the same checkout", async () => {
    const first = checkoutCompleted({ userId: "bob" });
    const second = checkoutCompleted({ userId: "bob", checkoutId: first.aggregateId });
    expect(second.eventId).not.toBe(first.eventId);
    await publish(t.bus, first);
    const [before] = await ordersOf("bob", first.aggregateId);
    await publish(t.bus, second);

    const orders = await ordersOf("bob", first.aggregateId);
    expect(orders.map((o) => o.id)).toEqual([before?.id]);
    expect(orders[0]?.items).toHaveLength(2);
  });

  it("creates one order when duplicates arrive concurrently", async () => {
    const first = checkoutCompleted({ userId: "dave" });
    const duplicates = [first, first, checkoutCompleted({ userId: "dave", checkoutId: first.aggregateId })];
    await Promise.all(duplicates.map((e) => publish(t.bus, e)));

    const orders = await ordersOf("dave", first.aggregateId);
    expect(orders).toHaveLength(1);
    expect(orders[0]?.items).toHaveLength(2);
  });

  it("acknowledges CheckoutFailed without creating an order", async () => {
    const failed = buildEnvelope({
      eventId: "evt-failed-1",
      aggregateId: "chk-failed-1",
      occurredAt: new Date(),
      payload: {
        case: "checkoutFailed",
        value: create(CheckoutFailedSchema, { checkoutId: "chk-failed-1", userId: "erin", reasonCode: "DECLINED" }),
      },
    });
    await publish(t.bus, failed);

    expect(await ordersOf("erin")).toEqual([]);
    expect(t.bus.deadLetters).toEqual([]);
  });
});

describe("malformed events", () => {
  const noPayload = create(EventEnvelopeSchema, { eventId: "evt-empty", type: "CheckoutCompleted", version: 1 });

  const noCheckoutId = (() => {
    const e = checkoutCompleted({ userId: "mallory", eventId: "evt-no-checkout" });
    if (e.payload.case === "checkoutCompleted") e.payload.value.checkoutId = "";
    e.aggregateId = "";
    return e;
  })();

  const badMoney = (() => {
    const e = checkoutCompleted({ userId: "mallory", eventId: "evt-bad-money" });
    if (e.payload.case === "checkoutCompleted") e.payload.value.total = create(MoneySchema, { amountMinor: 100n });
    return e;
  })();

  it.each([
    ["no payload", noPayload, /malformed CheckoutCompleted event evt-empty: the envelope has no payload/],
    ["no checkout id", noCheckoutId, /event evt-no-checkout: checkout_id is missing/],
    [
      "money without a currency",
      badMoney,
      /event evt-bad-money: total: currency must be an ISO 4217 currency code such as USD or JPY, got ""/,
    ],
  ])("rejects an event with %s, then dead-letters it, creating nothing", async (_, event, message) => {
    // The bus tries twice (maxAttempts 2): the first failure asks for a redelivery…
    await expect(publish(t.bus, event)).rejects.toThrow(message);
    // …the second parks it so the partition moves on.
    await publish(t.bus, event);

    expect(t.bus.deadLetters.find((d) => d.error.match(message))).toMatchObject({
      group: "orders-service",
      attempts: 2,
    });
    expect(await ordersOf("mallory")).toEqual([]);
  });
});
