import { setTimeout as sleep } from "node:timers/promises";
import { errorDetail } from "@checkout-saga/shared";
import { OrderStatus } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkoutCompleted, publish, startTestOrders } from "./orders-fixture.js";

let t: Awaited<ReturnType<typeof startTestOrders>>;

beforeAll(async () => {
  t = await startTestOrders();
});

afterAll(async () => {
  await t?.service.stop();
});

/** Places an order for `userId` through the consumer and returns it as the service reports it. */
async function placeOrder(userId: string) {
  const event = checkoutCompleted({ userId });
  await publish(t.bus, event);
  const { orders } = await t.client.listOrders({ userId, checkoutId: event.aggregateId });
  return orders[0]!;
}

async function rpcError(call: Promise<unknown>) {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectError);
  return { code: (err as ConnectError).code, reason: errorDetail(err)?.reason };
}

describe("GetOrder", () => {
  it("returns the caller's order with its lines", async () => {
    const placed = await placeOrder("alice");
    const { order } = await t.client.getOrder({ orderId: placed.id, userId: "alice" });
    expect(order).toMatchObject({ id: placed.id, userId: "alice", status: OrderStatus.CONFIRMED });
    expect(order?.items.map((i) => i.productId)).toEqual(["1", "2"]);
  });

  it("returns any order when no user is given (internal callers)", async () => {
    const placed = await placeOrder("alice");
    const { order } = await t.client.getOrder({ orderId: placed.id });
    expect(order?.id).toBe(placed.id);
  });

  it("reports another user's order as not found", async () => {
    const placed = await placeOrder("alice");
    expect(await rpcError(t.client.getOrder({ orderId: placed.id, userId: "bob" }))).toEqual({
      code: Code.NotFound,
      reason: "ORDER_NOT_FOUND",
    });
  });

  it.each(["6f1c7f2e-0000-4000-8000-000000000000", "not-a-uuid"])(
    "reports order id %j as not found",
    async (orderId) => {
      expect(await rpcError(t.client.getOrder({ orderId }))).toEqual({
        code: Code.NotFound,
        reason: "ORDER_NOT_FOUND",
      });
    },
  );

  it("refuses an empty order id by the request's field rule", async () => {
    expect(await rpcError(t.client.getOrder({ orderId: "" }))).toEqual({
      code: Code.InvalidArgument,
      reason: "INVALID_ARGUMENT",
    });
  });
});

describe("ListOrders", () => {
  it("pages a user's orders newest first", async () => {
    const placed = [];
    for (let i = 0; i < 3; i++) {
      placed.push(await placeOrder("carol"));
      // created_at has millisecond precision; keep the three apart so "newest first" is one order.
      await sleep(3);
    }
    const newestFirst = placed.map((o) => o.id).reverse();

    const first = await t.client.listOrders({ userId: "carol", pageSize: 2 });
    expect(first.orders.map((o) => o.id)).toEqual(newestFirst.slice(0, 2));
    expect(first.orders.every((o) => o.items.length === 2)).toBe(true);
    expect(first.nextPageToken).not.toBe("");

    const second = await t.client.listOrders({ userId: "carol", pageSize: 2, pageToken: first.nextPageToken });
    expect(second.orders.map((o) => o.id)).toEqual(newestFirst.slice(2));
    expect(second.nextPageToken).toBe("");
  });

  it("filters by checkout id, within the user's own orders only", async () => {
    const mine = await placeOrder("dave");
    await placeOrder("dave");
    const theirs = await placeOrder("erin");

    const found = await t.client.listOrders({ userId: "dave", checkoutId: mine.checkoutId });
    expect(found.orders.map((o) => o.id)).toEqual([mine.id]);
    const hidden = await t.client.listOrders({ userId: "dave", checkoutId: theirs.checkoutId });
    expect(hidden.orders).toEqual([]);
  });

  it("returns an empty page for a user without orders", async () => {
    expect(await t.client.listOrders({ userId: "nobody" })).toMatchObject({ orders: [], nextPageToken: "" });
  });

  it.each([
    [{ userId: "" }, "INVALID_ARGUMENT"],
    [{ userId: "carol", pageSize: 101 }, "INVALID_ARGUMENT"],
    [{ userId: "carol", pageSize: -1 }, "INVALID_ARGUMENT"],
    [{ userId: "carol", pageToken: "garbage" }, "INVALID_PAGE_TOKEN"],
  ])("refuses %j with %s", async (req, reason) => {
    expect(await rpcError(t.client.listOrders(req))).toEqual({ code: Code.InvalidArgument, reason });
  });
});

describe("ShipOrder and DeliverOrder", () => {
  const statusesOf = (history: { from: OrderStatus; to: OrderStatus }[] | undefined) =>
    history?.map((h) => `${OrderStatus[h.from]}>${OrderStatus[h.to]}`);

  it("ships and then delivers a confirmed order, each change in its history", async () => {
    const placed = await placeOrder("frank");
    expect(statusesOf(placed.statusHistory)).toEqual(["UNSPECIFIED>CONFIRMED"]);
    expect(placed.items.map((i) => i.cancelledQuantity)).toEqual([0, 0]);
    expect(placed.cancellations).toEqual([]);

    const shipped = await t.client.shipOrder({ orderId: placed.id, reason: "DHL 1234" });
    expect(shipped.order?.status).toBe(OrderStatus.SHIPPED);
    const delivered = await t.client.deliverOrder({ orderId: placed.id });
    expect(delivered.order?.status).toBe(OrderStatus.DELIVERED);

    const { order } = await t.client.getOrder({ orderId: placed.id, userId: "frank" });
    expect(order?.status).toBe(OrderStatus.DELIVERED);
    expect(statusesOf(order?.statusHistory)).toEqual([
      "UNSPECIFIED>CONFIRMED",
      "CONFIRMED>SHIPPED",
      "SHIPPED>DELIVERED",
    ]);
    // Credentials are off here: the call carries neither a service identity nor a user.
    expect(order?.statusHistory.map((h) => [h.reason, h.actor])).toEqual([
      ["checkout completed", "service:orders-service"],
      ["DHL 1234", "service:unverified"],
      ["delivered", "service:unverified"],
    ]);
    const [listed] = (await t.client.listOrders({ userId: "frank", checkoutId: placed.checkoutId })).orders;
    expect(listed?.statusHistory).toHaveLength(3);
  });

  it("refuses to ship a delivered order and to deliver an unshipped one", async () => {
    const delivered = await placeOrder("frank");
    await t.client.shipOrder({ orderId: delivered.id });
    await t.client.deliverOrder({ orderId: delivered.id });
    const confirmed = await placeOrder("frank");

    expect(await rpcError(t.client.shipOrder({ orderId: delivered.id }))).toEqual({
      code: Code.FailedPrecondition,
      reason: "ORDER_NOT_SHIPPABLE",
    });
    expect(await rpcError(t.client.deliverOrder({ orderId: confirmed.id }))).toEqual({
      code: Code.FailedPrecondition,
      reason: "ORDER_NOT_DELIVERABLE",
    });
    const { order } = await t.client.getOrder({ orderId: confirmed.id });
    expect(order?.status).toBe(OrderStatus.CONFIRMED);
    expect(order?.statusHistory).toHaveLength(1);
  });

  it("accepts a retried ship without a second history entry", async () => {
    const placed = await placeOrder("frank");
    await t.client.shipOrder({ orderId: placed.id });
    const again = await t.client.shipOrder({ orderId: placed.id });
    expect(again.order?.status).toBe(OrderStatus.SHIPPED);
    expect(again.order?.statusHistory).toHaveLength(2);
  });

  it("reports an unknown order as not found and refuses an overlong reason", async () => {
    for (const call of [
      t.client.shipOrder({ orderId: "not-a-uuid" }),
      t.client.deliverOrder({ orderId: "6f1c7f2e-0000-4000-8000-000000000000" }),
    ]) {
      expect(await rpcError(call)).toEqual({ code: Code.NotFound, reason: "ORDER_NOT_FOUND" });
    }
    const placed = await placeOrder("frank");
    expect(await rpcError(t.client.shipOrder({ orderId: placed.id, reason: "x".repeat(501) }))).toEqual({
      code: Code.InvalidArgument,
      reason: "INVALID_ARGUMENT",
    });
  });
});

describe("ListOrderEvents", () => {
  it("lists one order's outbox events oldest first, a move's event last", async () => {
    const placed = await placeOrder("gina");
    const before = (await t.client.listOrderEvents({ orderId: placed.id })).events;
    await t.client.shipOrder({ orderId: placed.id });
    const after = (await t.client.listOrderEvents({ orderId: placed.id })).events;
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((e) => [e.eventType, e.topic, e.key])).toEqual([
      ["OrderStatusChanged", "order-events", "gina"],
    ]);
    expect(after.map((e) => Number(e.id))).toEqual(after.map((e) => Number(e.id)).sort((a, b) => a - b));
  });

  it("reports an unknown order as not found", async () => {
    for (const orderId of ["not-a-uuid", "6f1c7f2e-0000-4000-8000-000000000000"]) {
      expect(await rpcError(t.client.listOrderEvents({ orderId }))).toEqual({
        code: Code.NotFound,
        reason: "ORDER_NOT_FOUND",
      });
    }
  });
});
