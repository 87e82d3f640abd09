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

describe("UpdateOrderStatus", () => {
  it("ships and then delivers a confirmed order", async () => {
    const placed = await placeOrder("frank");
    const shipped = await t.client.updateOrderStatus({ orderId: placed.id, status: OrderStatus.SHIPPED });
    expect(shipped.order?.status).toBe(OrderStatus.SHIPPED);
    const delivered = await t.client.updateOrderStatus({ orderId: placed.id, status: OrderStatus.DELIVERED });
    expect(delivered.order?.status).toBe(OrderStatus.DELIVERED);

    const { order } = await t.client.getOrder({ orderId: placed.id, userId: "frank" });
    expect(order?.status).toBe(OrderStatus.DELIVERED);
    expect(order?.items).toHaveLength(2);
  });

  it("cancels a confirmed order, and then refuses to ship it", async () => {
    const placed = await placeOrder("frank");
    await t.client.updateOrderStatus({ orderId: placed.id, status: OrderStatus.CANCELLED });

    expect(await rpcError(t.client.updateOrderStatus({ orderId: placed.id, status: OrderStatus.SHIPPED }))).toEqual({
      code: Code.FailedPrecondition,
      reason: "INVALID_ORDER_TRANSITION",
    });
    const { order } = await t.client.getOrder({ orderId: placed.id });
    expect(order?.status).toBe(OrderStatus.CANCELLED);
  });

  it("refuses to cancel a shipped order or skip shipping", async () => {
    const shipped = await placeOrder("frank");
    await t.client.updateOrderStatus({ orderId: shipped.id, status: OrderStatus.SHIPPED });
    const confirmed = await placeOrder("frank");

    for (const [orderId, status] of [
      [shipped.id, OrderStatus.CANCELLED],
      [confirmed.id, OrderStatus.DELIVERED],
    ] as const) {
      expect(await rpcError(t.client.updateOrderStatus({ orderId, status }))).toEqual({
        code: Code.FailedPrecondition,
        reason: "INVALID_ORDER_TRANSITION",
      });
    }
  });

  it("accepts a retried update to the status the order already has", async () => {
    const placed = await placeOrder("frank");
    await t.client.updateOrderStatus({ orderId: placed.id, status: OrderStatus.SHIPPED });
    const again = await t.client.updateOrderStatus({ orderId: placed.id, status: OrderStatus.SHIPPED });
    expect(again.order?.status).toBe(OrderStatus.SHIPPED);
  });

  it("reports an unknown order as not found and an unspecified status as invalid", async () => {
    expect(await rpcError(t.client.updateOrderStatus({ orderId: "not-a-uuid", status: OrderStatus.SHIPPED }))).toEqual({
      code: Code.NotFound,
      reason: "ORDER_NOT_FOUND",
    });
    const placed = await placeOrder("frank");
    expect(await rpcError(t.client.updateOrderStatus({ orderId: placed.id, status: OrderStatus.UNSPECIFIED }))).toEqual(
      { code: Code.InvalidArgument, reason: "INVALID_ARGUMENT" },
    );
  });
});
