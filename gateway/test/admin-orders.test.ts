import { Writable } from "node:stream";
import { createLogger } from "@checkout-saga/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkoutCompleted, publish, startTestOrders } from "../../orders-service/test/orders-fixture.js";
import { buildClients, defaultServices, type Json, problemOf, startTestGateway, type TestGateway } from "./fixture.js";

/*
 * The admin routes in front of the real orders service (its PostgreSQL, its outbox): the
 * gateway's admin guard, the REST shapes, and the service's rules as problems.
 */

let orders: Awaited<ReturnType<typeof startTestOrders>>;
let gateway: TestGateway;
const logLines: Json[] = [];

beforeAll(async () => {
  orders = await startTestOrders();
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  const clients = buildClients(defaultServices({ requestIds: [], checkoutRequests: [], mutations: [] }));
  gateway = startTestGateway({
    logger: createLogger("gateway", { format: "json", destination }),
    deps: { clients: { ...clients, orders: orders.client } },
  });
});

afterAll(async () => {
  await orders?.service.stop();
});

/** A dev token for `userId` with `roles`, from the gateway's own dev route. */
async function devToken(userId: string, roles?: string[]): Promise<string> {
  const res = await gateway.call("POST", "/dev/token", { user: null, body: { user_id: userId, roles } });
  expect(res.status).toBe(200);
  return ((await res.json()) as Json).token;
}

async function call(method: string, path: string, token: string, body?: unknown) {
  return gateway.call(method, path, { user: null, headers: { authorization: `Bearer ${token}` }, body });
}

/** An order of `userId`, placed the way production places it: from a CheckoutCompleted event. */
async function placeOrder(userId: string): Promise<string> {
  return (await placeOrderOf(userId)).orderId;
}

async function placeOrderOf(userId: string): Promise<{ orderId: string; checkoutId: string }> {
  const event = checkoutCompleted({ userId });
  await publish(orders.bus, event);
  const { orders: placed } = await orders.client.listOrders({ userId, checkoutId: event.aggregateId });
  return { orderId: placed[0]!.id, checkoutId: event.aggregateId };
}

describe("GET /admin/orders", () => {
  it("finds a user's order by the checkout it came from, for an admin only; the user is required", async () => {
    const { orderId, checkoutId } = await placeOrderOf("carol");
    const admin = await devToken("ops", ["admin"]);
    const res = await call("GET", `/admin/orders?user_id=carol&checkout_id=${checkoutId}`, admin);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).items.map((o: Json) => o.id)).toEqual([orderId]);
    const refused = await call("GET", `/admin/orders?user_id=carol&checkout_id=${checkoutId}`, await devToken("carol"));
    expect(refused.status).toBe(403);
    const unnamed = await call("GET", `/admin/orders?checkout_id=${checkoutId}`, admin);
    expect(await problemOf(unnamed)).toMatchObject({ status: 400, field: "user_id" });
  });
});

describe("GET /admin/orders/{id}/events", () => {
  it("lists an order's outbox events oldest first for an admin only; an unknown order is 404", async () => {
    const orderId = await placeOrder("dora");
    // Shipped behind the gateway's back: the admin-change log the ship test reads stays its own.
    await orders.client.shipOrder({ orderId });
    const admin = await devToken("ops", ["admin"]);
    const res = await call("GET", `/admin/orders/${orderId}/events`, admin);
    expect(res.status).toBe(200);
    const items = ((await res.json()) as Json).items as Json[];
    expect(items.at(-1)).toMatchObject({ event_type: "OrderStatusChanged", topic: "order-events", key: "dora" });
    expect(items.at(-1).created_at).toMatch(/^\d{4}-/);

    expect((await call("GET", `/admin/orders/${orderId}/events`, await devToken("dora"))).status).toBe(403);
    const unknown = await call("GET", "/admin/orders/6f1c7f2e-0000-4000-8000-000000000000/events", admin);
    expect(unknown.status).toBe(404);
  });
});

describe("POST /admin/orders/{id}/ship and /deliver", () => {
  it("lets an admin ship then deliver an order; its owner sees both in status_history", async () => {
    const orderId = await placeOrder("alice");
    const admin = await devToken("ops", ["admin"]);

    const shipped = await call("POST", `/admin/orders/${orderId}/ship`, admin, { reason: "DHL 1234" });
    expect(shipped.status).toBe(200);
    expect(((await shipped.json()) as Json).status).toBe("SHIPPED");
    const delivered = await call("POST", `/admin/orders/${orderId}/deliver`, admin, {});
    expect(delivered.status).toBe(200);

    const res = await call("GET", `/orders/${orderId}`, await devToken("alice"));
    expect(res.status).toBe(200);
    const order: Json = await res.json();
    expect(order.status).toBe("DELIVERED");
    expect(order.status_history).toEqual([
      { from: null, to: "CONFIRMED", reason: "checkout completed", at: expect.any(String) },
      { from: "CONFIRMED", to: "SHIPPED", reason: "DHL 1234", at: expect.any(String) },
      { from: "SHIPPED", to: "DELIVERED", reason: "delivered", at: expect.any(String) },
    ]);
    expect(order.items.map((i: Json) => i.cancelled_quantity)).toEqual([0, 0]);
    expect(order.cancellations).toEqual([]);

    // Each change is logged with the admin who made it.
    const changes = logLines.filter((l) => String(l.msg).startsWith("admin change by ops"));
    expect(changes.map((l) => l.path)).toEqual([
      `/api/v1/admin/orders/${orderId}/ship`,
      `/api/v1/admin/orders/${orderId}/deliver`,
    ]);
  });

  it("refuses a token without the admin role with 403, before the order is touched", async () => {
    const orderId = await placeOrder("alice");
    for (const token of [await devToken("alice"), await devToken("alice", ["support"])]) {
      const res = await call("POST", `/admin/orders/${orderId}/ship`, token, {});
      expect(res.status).toBe(403);
      expect((await problemOf(res)).type).toBe("https://checkout-saga.dev/problems/admin-role-required");
    }
    const { order } = await orders.client.getOrder({ orderId });
    expect(order?.statusHistory).toHaveLength(1);
    expect((await call("POST", `/admin/orders/${orderId}/ship`, "not-a-token", {})).status).toBe(401);
  });

  it("answers 409 order-not-shippable for a delivered order, 409 order-not-deliverable for a confirmed one", async () => {
    const admin = await devToken("ops", ["admin"]);
    const delivered = await placeOrder("bob");
    await call("POST", `/admin/orders/${delivered}/ship`, admin, {});
    await call("POST", `/admin/orders/${delivered}/deliver`, admin, {});

    const again = await call("POST", `/admin/orders/${delivered}/ship`, admin, {});
    expect(again.status).toBe(409);
    expect(await problemOf(again)).toMatchObject({
      type: "https://checkout-saga.dev/problems/order-not-shippable",
      code: "ORDER_NOT_SHIPPABLE",
      order_id: delivered,
      order_status: "DELIVERED",
    });
    const early = await call("POST", `/admin/orders/${await placeOrder("bob")}/deliver`, admin, {});
    expect(early.status).toBe(409);
    expect((await problemOf(early)).type).toBe("https://checkout-saga.dev/problems/order-not-deliverable");
  });

  it("answers 404 for an unknown order and 400 for an overlong reason", async () => {
    const admin = await devToken("ops", ["admin"]);
    const unknown = await call("POST", "/admin/orders/6f1c7f2e-0000-4000-8000-000000000000/ship", admin, {});
    expect(unknown.status).toBe(404);
    const orderId = await placeOrder("bob");
    const long = await call("POST", `/admin/orders/${orderId}/ship`, admin, { reason: "x".repeat(501) });
    expect(long.status).toBe(400);
    expect((await problemOf(long)).errors[0]).toMatchObject({ path: "reason", in: "body" });
  });
});

describe("POST /dev/token roles", () => {
  it.each([[["Admin"]], [[""]], [Array.from({ length: 33 }, (_, i) => `r${i}`)], ["admin"]])(
    "refuses roles %j",
    async (roles) => {
      const res = await gateway.call("POST", "/dev/token", { user: null, body: { user_id: "ops", roles } });
      expect(res.status).toBe(400);
    },
  );
});
