import { createServer } from "node:net";
import { createPostgres, errorDetail, type Sql } from "@checkout-saga/shared";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_CANCELLATION } from "../src/config.js";
import { startCancellationDownstream } from "./cancellation-downstream.js";
import { checkoutCompleted, publish, startTestOrders } from "./orders-fixture.js";

/**
 * Past the refund a cancellation only moves forward: with inventory (or the points ledger)
 * unreachable the return keeps failing, so the cancellation waits, flagged as needing
 * attention, and the recovery loop finishes it once the service is back — nothing dropped,
 * nothing done twice.
 */
let downstream: Awaited<ReturnType<typeof startCancellationDownstream>>;
let t: Awaited<ReturnType<typeof startTestOrders>>;
let db: Sql;
let inventoryPort: number;
/** An orders service whose payment service (and points ledger) is not there yet. */
let paymentDown: Awaited<ReturnType<typeof startTestOrders>>;
let paymentPort: number;

/** A loopback port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const cancellation = {
  ...DEFAULT_CANCELLATION,
  stepDeadlineMs: 300,
  recoveryIntervalMs: 200,
  recoveryGraceMs: 0,
  attentionRetryMs: 200,
};

beforeAll(async () => {
  downstream = await startCancellationDownstream();
  inventoryPort = await freePort();
  t = await startTestOrders({
    paymentUrl: downstream.urls.payment,
    inventoryUrl: `http://127.0.0.1:${inventoryPort}`,
    cancellation,
  });
  db = createPostgres(t.databaseUrl, { max: 2 });
  paymentPort = await freePort();
  paymentDown = await startTestOrders({
    paymentUrl: `http://127.0.0.1:${paymentPort}`,
    inventoryUrl: downstream.urls.inventory,
    cancellation,
  });
}, 120_000);

afterAll(async () => {
  await paymentDown?.service.stop();
  await t?.service.stop();
  await db?.end();
  await downstream?.stop();
});

async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

it("flags a stock return that keeps failing and finishes it once inventory is back", async () => {
  const mice = { productId: "2", name: "Mouse", quantity: 2, unitPriceMinor: 2999 };
  const { checkoutId, paymentId } = await downstream.purchase([mice]);
  await publish(t.bus, checkoutCompleted({ checkoutId, userId: "gina", paymentId, lines: [mice] }));
  const { orders } = await t.client.listOrders({ userId: "gina", checkoutId });
  const orderId = orders[0]?.id ?? "";
  const miceBefore = await downstream.availableOf("2");

  const res = await t.client.cancelOrder({ orderId, userId: "gina", idempotencyKey: "k" });
  // Refunded, no points to return (paid in dollars), and the stock return waits where it starts.
  expect(res.cancellation?.status).toBe("POINTS_RETURNED");
  const id = res.cancellation?.cancellationId ?? "";
  const row = async () =>
    (
      await db<{ status: string; needs_attention: boolean }[]>`
      select status, needs_attention from order_cancellations where id = ${id}`
    )[0];
  expect(await row()).toEqual({ status: "POINTS_RETURNED", needs_attention: true });
  // Operators find it among those needing attention, with whose order it is.
  const flagged = await t.client.listCancellations({ needsAttention: true });
  expect(flagged.cancellations.find((c) => c.cancellationId === id)).toMatchObject({
    orderId,
    userId: "gina",
    status: "POINTS_RETURNED",
    needsAttention: true,
  });
  expect((await t.client.listCancellations({ status: "COMPLETED", userId: "gina" })).cancellations).toEqual([]);
  // Shipping waits for it: what ships must not be refunded too.
  await expect(t.client.shipOrder({ orderId })).rejects.toThrow(/cancellation .* running/);

  await downstream.startInventoryAt(inventoryPort);
  expect(await eventually(row, (r) => r?.status === "COMPLETED")).toEqual({
    status: "COMPLETED",
    needs_attention: false,
  });
  expect(await downstream.availableOf("2")).toBe(miceBefore + 2);
  expect((await downstream.paymentOf(paymentId)).refunds).toHaveLength(1);
  const { order } = await t.client.getOrder({ orderId });
  expect(order?.items.map((i) => i.cancelledQuantity)).toEqual([2]);

  expect((await t.client.listCancellations({ status: "COMPLETED", userId: "gina" })).cancellations).toMatchObject([
    { cancellationId: id, needsAttention: false },
  ]);
  // GetCancellation shows operators the path it took, the stuck step's waits included.
  const { cancellation } = await t.client.getCancellation({ cancellationId: id });
  expect(cancellation?.history.map((h) => [h.from, h.to])).toEqual([
    ["", "REQUESTED"],
    ["REQUESTED", "REFUNDED"],
    ["REFUNDED", "POINTS_RETURNED"],
    ["POINTS_RETURNED", "STOCK_RETURNED"],
    ["STOCK_RETURNED", "COMPLETED"],
  ]);
  // Nothing is left to retry once it ended; an unknown id is not found.
  const finished = await t.client
    .retryCancellation({ cancellationId: id })
    .catch((err: unknown) => ConnectError.from(err));
  expect([(finished as ConnectError).code, errorDetail(finished)?.reason]).toEqual([
    Code.FailedPrecondition,
    "CANCELLATION_FINISHED",
  ]);
  const unknown = await t.client
    .retryCancellation({ cancellationId: "01a23401-0000-7000-8000-000000000000" })
    .catch((err: unknown) => ConnectError.from(err));
  expect((unknown as ConnectError).code).toBe(Code.NotFound);
  const unread = await t.client
    .getCancellation({ cancellationId: "01a23401-0000-7000-8000-000000000000" })
    .catch((err: unknown) => ConnectError.from(err));
  expect((unread as ConnectError).code).toBe(Code.NotFound);
}, 60_000);

it("flags a points return the payment service cannot take and gives the points back once it is up", async () => {
  // Hana's lot of 10,000 points pays for ¥8,960 of mice entirely: nothing is charged, so a
  // cancellation refunds nothing and calls the payment service only to return the points.
  const earning = await downstream.earnPoints("hana", 1_000_000);
  const yenMice = { productId: "2", name: "Mouse", quantity: 2, unitPriceMinor: 4480 };
  const { checkoutId, paymentId } = await downstream.purchase([yenMice], "JPY", { userId: "hana", points: 8960 });
  expect(paymentId).toBe("");
  await publish(
    paymentDown.bus,
    checkoutCompleted({
      checkoutId,
      userId: "hana",
      paymentId,
      currency: "JPY",
      lines: [yenMice],
      pointsRedeemed: 8960,
    }),
  );
  const { orders } = await paymentDown.client.listOrders({ userId: "hana", checkoutId });
  const orderId = orders[0]?.id ?? "";
  const [lot] = (await downstream.pointsOf("hana")).lots;
  expect([lot?.checkoutId, lot?.points]).toEqual([earning, 1040n]);

  const res = await paymentDown.client.cancelOrder({
    orderId,
    userId: "hana",
    idempotencyKey: "one-mouse",
    lines: [{ productId: "2", quantity: 1 }],
  });
  expect(res.cancellation).toMatchObject({
    status: "REFUNDED",
    refund: { currency: "JPY", amountMinor: 0n },
    pointsReturned: 4480n,
  });
  const id = res.cancellation?.cancellationId ?? "";
  const { cancellations } = await paymentDown.client.listCancellations({ userId: "hana", needsAttention: true });
  expect(cancellations.map((c) => [c.cancellationId, c.status])).toEqual([[id, "REFUNDED"]]);
  expect((await downstream.pointsOf("hana")).balance).toBe(1040n);

  await downstream.startPaymentAt(paymentPort);
  const finished = await eventually(
    async () => (await paymentDown.client.listCancellations({ userId: "hana" })).cancellations,
    (c) => c[0]?.status === "COMPLETED",
  );
  expect(finished.map((c) => [c.cancellationId, c.status, c.needsAttention])).toEqual([[id, "COMPLETED", false]]);
  const points = await downstream.pointsOf("hana");
  expect(points.lots.map((l) => [l.checkoutId, l.points, l.expiresAt])).toEqual([[earning, 5520n, lot?.expiresAt]]);
  expect(points.history.filter((e) => e.reason === "returned").map((e) => [e.delta, e.orderId])).toEqual([
    [4480n, orderId],
  ]);
}, 60_000);
