import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCancellationDownstream } from "../../orders-service/test/cancellation-downstream.js";
import { checkoutCompleted, publish, startTestOrders } from "../../orders-service/test/orders-fixture.js";
import { buildClients, defaultServices, type Json, problemOf, startTestGateway, type TestGateway } from "./fixture.js";

/*
 * POST /orders/{id}/cancel in front of the real orders service and the real payment and
 * inventory services it refunds and restocks through: the Idempotency-Key semantics, the
 * answer's shape, the service's refusals as problems.
 */

let downstream: Awaited<ReturnType<typeof startCancellationDownstream>>;
let orders: Awaited<ReturnType<typeof startTestOrders>>;
let gateway: TestGateway;

beforeAll(async () => {
  downstream = await startCancellationDownstream();
  orders = await startTestOrders({ paymentUrl: downstream.urls.payment, inventoryUrl: downstream.urls.inventory });
  const clients = buildClients(defaultServices({ requestIds: [], checkoutRequests: [], mutations: [] }));
  gateway = startTestGateway({ deps: { clients: { ...clients, orders: orders.client } } });
}, 120_000);

afterAll(async () => {
  await orders?.service.stop();
  await downstream?.stop();
});

const laptop = { productId: "1", name: "Laptop", quantity: 1, unitPriceMinor: 129999 };
const mice = { productId: "2", name: "Mouse", quantity: 2, unitPriceMinor: 2999 };
const usd = (amount_minor: number) => ({ currency: "USD", amount_minor });

/** A laptop and two mice bought by `user`, placed as an order from its CheckoutCompleted. */
async function buyTwoItems(user: string): Promise<string> {
  const { checkoutId, paymentId } = await downstream.purchase([laptop, mice]);
  await publish(orders.bus, checkoutCompleted({ checkoutId, userId: user, paymentId, lines: [laptop, mice] }));
  const { orders: placed } = await orders.client.listOrders({ userId: user, checkoutId });
  return placed[0]?.id ?? "";
}

const cancel = (orderId: string, key: string | undefined, body: unknown, user = "alice") =>
  gateway.call("POST", `/orders/${orderId}/cancel`, {
    user,
    body,
    headers: key === undefined ? {} : { "Idempotency-Key": key },
  });

describe("POST /orders/{id}/cancel", () => {
  it("cancels a line (202), replays the key, refuses it with another body, then cancels the rest", async () => {
    const orderId = await buyTwoItems("alice");
    const body = { lines: [{ product_id: "2", quantity: 2 }], reason: "one too many" };

    const first = await cancel(orderId, "mice", body);
    expect(first.status).toBe(202);
    const cancellation: Json = await first.json();
    expect(cancellation).toMatchObject({
      status: "COMPLETED",
      refund: usd(5998),
      points_returned: 0,
      lines: [{ product_id: "2", name: "Mouse", quantity: 2, unit_price: usd(2999) }],
    });
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();

    const replay = await cancel(orderId, "mice", body);
    expect(replay.status).toBe(202);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await replay.json()).toEqual(cancellation);

    const reused = await cancel(orderId, "mice", { lines: [{ product_id: "1", quantity: 1 }] });
    expect(reused.status).toBe(422);
    expect((await problemOf(reused)).type).toMatch(/idempotency-key-reused$/);

    const order: Json = await (await gateway.call("GET", `/orders/${orderId}`)).json();
    expect(order.items.map((i: Json) => i.cancelled_quantity)).toEqual([0, 2]);
    expect(order.cancellations).toEqual([cancellation]);

    const rest = await cancel(orderId, "rest", {});
    expect(rest.status).toBe(202);
    expect(await rest.json()).toMatchObject({ status: "COMPLETED", refund: usd(129999) });
    const cancelled: Json = await (await gateway.call("GET", `/orders/${orderId}`)).json();
    expect(cancelled.status).toBe("CANCELLED");
    expect(cancelled.status_history.map((h: Json) => h.to)).toEqual(["CONFIRMED", "CANCELLED"]);
  });

  it("needs an Idempotency-Key", async () => {
    const res = await cancel("7d0c4c44-0a57-4f0f-8d59-3c3f0e4e9a11", undefined, {});
    expect(res.status).toBe(400);
    expect((await problemOf(res)).type).toMatch(/idempotency-key-missing$/);
  });

  it("refuses more units than a line has left: 422 cancel-exceeds-order naming the line", async () => {
    const orderId = await buyTwoItems("bob");
    const res = await cancel(orderId, "k", { lines: [{ product_id: "2", quantity: 3 }] }, "bob");
    expect(res.status).toBe(422);
    const problem = await problemOf(res);
    expect(problem.type).toMatch(/cancel-exceeds-order$/);
    expect(problem.lines).toEqual([{ product_id: "2", requested: 3, available: 2 }]);
  });

  it("refuses a SHIPPED order: 409 order-not-cancellable; another user's order is 404", async () => {
    const orderId = await buyTwoItems("carol");
    expect((await cancel(orderId, "k", {}, "mallory")).status).toBe(404);
    await orders.client.shipOrder({ orderId });
    const res = await cancel(orderId, "k", {}, "carol");
    expect(res.status).toBe(409);
    expect(await problemOf(res)).toMatchObject({ title: "Order cannot be cancelled", order_status: "SHIPPED" });
  });
});
