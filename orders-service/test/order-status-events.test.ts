import { setTimeout as sleep } from "node:timers/promises";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkoutCompleted, publish, startTestOrders } from "./orders-fixture.js";

let t: Awaited<ReturnType<typeof startTestOrders>>;

beforeAll(async () => {
  t = await startTestOrders();
});

afterAll(async () => {
  await t?.service.stop();
});

/** The order's events the relay has published so far, once there are `count` of them. */
async function eventsOf(orderId: string, count: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = t.orderEvents.filter((e) => e.aggregateId === orderId);
    if (found.length >= count || Date.now() > deadline) return found;
    await sleep(20);
  }
}

describe("OrderStatusChanged on order-events (the orders outbox, relayed to the in-process bus)", () => {
  it("announces the order's placement and every change, in order", async () => {
    const event = checkoutCompleted({ userId: "gina" });
    await publish(t.bus, event);
    const [placed] = (await t.client.listOrders({ userId: "gina", checkoutId: event.aggregateId })).orders;
    await t.client.shipOrder({ orderId: placed!.id, reason: "DHL 1234" });
    await t.client.deliverOrder({ orderId: placed!.id });

    const published = await eventsOf(placed!.id, 3);
    expect(published.map((e) => e.case)).toEqual(["orderStatusChanged", "orderStatusChanged", "orderStatusChanged"]);
    expect(published.map((e) => e.value)).toMatchObject([
      { orderId: placed!.id, userId: "gina", checkoutId: event.aggregateId, from: "", to: "CONFIRMED" },
      { from: "CONFIRMED", to: "SHIPPED", reason: "DHL 1234", actor: "service:unverified" },
      { from: "SHIPPED", to: "DELIVERED", reason: "delivered" },
    ]);
    // The event says when the change happened as the history does.
    const { order } = await t.client.getOrder({ orderId: placed!.id });
    const at = (e: (typeof published)[number]) =>
      e.case === "orderStatusChanged" && e.value.changedAt ? timestampDate(e.value.changedAt) : undefined;
    expect(published.map(at)).toEqual(order?.statusHistory.map((h) => (h.at ? timestampDate(h.at) : undefined)));
  });

  it("shows operators its outbox draining: nothing pending once the relay published", async () => {
    const event = checkoutCompleted({ userId: "hana" });
    await publish(t.bus, event);
    const [placed] = (await t.client.listOrders({ userId: "hana", checkoutId: event.aggregateId })).orders;
    await eventsOf(placed!.id, 1);
    const deadline = Date.now() + 10_000;
    let status = (await t.client.getOutboxStatus({})).status;
    while (status?.pending !== 0n && Date.now() < deadline) {
      await sleep(20);
      status = (await t.client.getOutboxStatus({})).status;
    }
    expect(status).toMatchObject({ topic: "order-events", pending: 0n });
    expect(status?.lastPublishedId).not.toBe("");
    expect(status?.publishedLast5Minutes).toBeGreaterThanOrEqual(1n);
  });

  it("announces nothing for a redelivered checkout or a retried or refused move", async () => {
    const event = checkoutCompleted({ userId: "hank" });
    await publish(t.bus, event);
    await publish(t.bus, event);
    const [placed] = (await t.client.listOrders({ userId: "hank", checkoutId: event.aggregateId })).orders;
    await t.client.shipOrder({ orderId: placed!.id });
    await t.client.shipOrder({ orderId: placed!.id });
    await t.client.deliverOrder({ orderId: placed!.id });
    await t.client.shipOrder({ orderId: placed!.id }).catch(() => undefined);

    await eventsOf(placed!.id, 3);
    // Anything extra would have been relayed by now: the relay wakes on every commit.
    await sleep(300);
    expect(t.orderEvents.filter((e) => e.aggregateId === placed!.id)).toHaveLength(3);
  });
});
