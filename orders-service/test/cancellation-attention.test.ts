import { createServer } from "node:net";
import { createPostgres, errorDetail, type Sql } from "@checkout-saga/shared";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_CANCELLATION } from "../src/config.js";
import { startCancellationDownstream } from "./cancellation-downstream.js";
import { checkoutCompleted, publish, startTestOrders } from "./orders-fixture.js";

/**
 * Past the refund a cancellation only moves forward: with inventory unreachable the stock
 * return keeps failing, so the cancellation waits REFUNDED, flagged as needing attention, and
 * the recovery loop finishes it once inventory is back — nothing dropped, nothing done twice.
 */
let downstream: Awaited<ReturnType<typeof startCancellationDownstream>>;
let t: Awaited<ReturnType<typeof startTestOrders>>;
let db: Sql;
let inventoryPort: number;

/** A loopback port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  downstream = await startCancellationDownstream();
  inventoryPort = await freePort();
  t = await startTestOrders({
    paymentUrl: downstream.urls.payment,
    inventoryUrl: `http://127.0.0.1:${inventoryPort}`,
    cancellation: {
      ...DEFAULT_CANCELLATION,
      stepDeadlineMs: 300,
      recoveryIntervalMs: 200,
      recoveryGraceMs: 0,
      attentionRetryMs: 200,
    },
  });
  db = createPostgres(t.databaseUrl, { max: 2 });
}, 120_000);

afterAll(async () => {
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
  expect(res.cancellation?.status).toBe("REFUNDED");
  const id = res.cancellation?.cancellationId ?? "";
  const row = async () =>
    (
      await db<{ status: string; needs_attention: boolean }[]>`
      select status, needs_attention from order_cancellations where id = ${id}`
    )[0];
  expect(await row()).toEqual({ status: "REFUNDED", needs_attention: true });
  // Operators find it among those needing attention, with whose order it is.
  const flagged = await t.client.listCancellations({ needsAttention: true });
  expect(flagged.cancellations.find((c) => c.cancellationId === id)).toMatchObject({
    orderId,
    userId: "gina",
    status: "REFUNDED",
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
}, 60_000);
