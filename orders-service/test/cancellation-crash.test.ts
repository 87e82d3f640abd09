import { createOutboxSignal, createPostgres, type Sql } from "@checkout-saga/shared";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CRASH_POINTS, type CrashPoint } from "../src/cancellation/cancellation-faults.js";
import { draftOrder } from "../src/domain/order.js";
import { createPostgresOrderStore, migrateOrdersDatabase } from "../src/index.js";
import { startCancellationDownstream } from "./cancellation-downstream.js";
import { type OrdersProcess, startOrdersProcess } from "./orders-process.js";

/**
 * SIGKILL between a downstream effect and the commit that records it: orders-service runs as
 * its own process against the real payment and inventory services, dies at a crash point
 * (ORDERS_CRASH_AT), and is started again without the hook. Its recovery loop must finish the
 * cancellation with exactly one refund, one points return, one restock and one OrderCancelled.
 */

// In yen, ¥58,760, 1,000 of it paid in points: the mice (¥8,960) are ¥8,807 back in money,
// floor(57,760·8,960/58,760), and the other 153 in points.
const mice = { productId: "2", name: "Mouse", quantity: 2, unitPriceMinor: 4480 };
const laptop = { productId: "1", name: "Laptop", quantity: 1, unitPriceMinor: 49800 };
const POINTS_REDEEMED = 1000;
const MICE_REFUND = 8807n;
const MICE_POINTS = 153n;

let downstream: Awaited<ReturnType<typeof startCancellationDownstream>>;
let databaseUrl: string;
let db: Sql;
const processes = new Set<OrdersProcess>();

beforeAll(async () => {
  downstream = await startCancellationDownstream();
  databaseUrl = await createTestDatabase("orders_crash");
  await migrateOrdersDatabase(databaseUrl);
  db = createPostgres(databaseUrl, { max: 2 });
}, 120_000);

afterEach(async () => {
  for (const p of processes) await p.stop();
  processes.clear();
});

afterAll(async () => {
  await db?.end();
  await downstream?.stop();
});

async function startService(env: Record<string, string> = {}) {
  const p = await startOrdersProcess({
    ORDERS_DATABASE_URL: databaseUrl,
    PAYMENT_URL: downstream.urls.payment,
    INVENTORY_URL: downstream.urls.inventory,
    // A short lease: the dead process's cancellation is free again within a second.
    ORDERS_LEASE_MS: "1000",
    ORDERS_RECOVERY_INTERVAL_MS: "200",
    ...env,
  });
  processes.add(p);
  return p;
}

/**
 * A laptop and two mice bought for real by `userId`, who first earned a lot of 2,000 points and
 * redeemed 1,000 of them on it (redeemed, held, sold, charged), placed as their order.
 */
async function placeOrder(userId: string) {
  const earning = await downstream.earnPoints(userId, 200_000);
  const { checkoutId, paymentId } = await downstream.purchase([laptop, mice], "JPY", {
    userId,
    points: POINTS_REDEEMED,
  });
  const orders = createPostgresOrderStore(db, { outboxSignal: createOutboxSignal() });
  const subtotal = laptop.unitPriceMinor + 2 * mice.unitPriceMinor;
  const yen = (amountMinor: number) => ({ currency: "JPY", amountMinor });
  const charged = yen(subtotal - POINTS_REDEEMED);
  const { orderId } = await orders.place(
    draftOrder({
      checkoutId,
      userId,
      total: charged,
      totals: { subtotal: yen(subtotal), pointsRedeemed: yen(POINTS_REDEEMED), total: charged, tax: null },
      lines: [laptop, mice].map((l) => ({
        productId: l.productId,
        name: l.name,
        quantity: l.quantity,
        unitPrice: yen(l.unitPriceMinor),
      })),
      shippingAddress: {
        name: "Alice Example",
        phone: "+81 3 1234 5678",
        postalCode: "100-0001",
        region: "Tokyo",
        city: "Chiyoda",
        line1: "1-1 Chiyoda",
        line2: "",
        country: "JP",
      },
      paymentId,
      sourceEventId: `event-${checkoutId}`,
    }),
  );
  return { orderId, paymentId, checkoutId, earning };
}

async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Where each crash point leaves things: the state committed last, and the balance (the
 * downstream effect just answered is done, its commit is not).
 */
const LEFT_AT: Record<CrashPoint, { status: string; balance: bigint }> = {
  "after-refund": { status: "REQUESTED", balance: 1000n },
  "after-points-return": { status: "REFUNDED", balance: 1000n + MICE_POINTS },
  "after-return": { status: "POINTS_RETURNED", balance: 1000n + MICE_POINTS },
};

describe.each(CRASH_POINTS)("killed at %s", (point) => {
  it("finishes after a restart: one refund, one points return, one restock, one OrderCancelled", async () => {
    const userId = `crash-${point}`;
    const { orderId, paymentId, checkoutId, earning } = await placeOrder(userId);
    const miceBefore = await downstream.availableOf("2");
    const [lot] = (await downstream.pointsOf(userId)).lots;
    expect([lot?.checkoutId, lot?.points]).toEqual([earning, 1000n]);
    const request = { orderId, userId, idempotencyKey: "cancel-mice", lines: [{ productId: "2", quantity: 2 }] };

    const doomed = await startService({ ORDERS_CRASH_AT: point });
    await expect(doomed.client.cancelOrder(request)).rejects.toThrow();
    expect((await doomed.exited).signal, doomed.output()).toBe("SIGKILL");
    processes.delete(doomed);
    const [left] = await db<{ status: string }[]>`select status from order_cancellations where order_id = ${orderId}`;
    expect({ status: left?.status, balance: (await downstream.pointsOf(userId)).balance }).toEqual(LEFT_AT[point]);

    const restarted = await startService();
    const rows = await eventually(
      () =>
        db<{ id: string; status: string }[]>`select id, status from order_cancellations where order_id = ${orderId}`,
      (r) => r[0]?.status === "COMPLETED",
    );
    expect(
      rows.map((r) => r.status),
      restarted.output(),
    ).toEqual(["COMPLETED"]);

    const payment = await downstream.paymentOf(paymentId);
    expect(payment.refunds.map((r) => [r.refundKey, r.amount?.amountMinor])).toEqual([[rows[0]?.id, MICE_REFUND]]);
    // The mice's points share back once, to the lot it came from, with that lot's expiry.
    const points = await downstream.pointsOf(userId);
    expect(points.balance).toBe(1000n + MICE_POINTS);
    expect(points.lots.map((l) => [l.checkoutId, l.points, l.expiresAt])).toEqual([
      [earning, 1000n + MICE_POINTS, lot?.expiresAt],
    ]);
    expect(points.history.map((e) => [e.reason, e.delta, e.checkoutId, e.orderId])).toEqual([
      ["returned", MICE_POINTS, checkoutId, orderId],
      ["redeemed", -1000n, checkoutId, ""],
      ["earned", 2000n, earning, ""],
    ]);
    expect(await downstream.availableOf("2")).toBe(miceBefore + 2);
    const events = await db<{ event_type: string }[]>`
      select event_type from outbox where aggregate_id = ${orderId} order by id`;
    expect(events.map((e) => e.event_type)).toEqual(["OrderStatusChanged", "OrderCancelled"]);
    const lines = await db<{ cancelled_quantity: number }[]>`
      select cancelled_quantity from order_lines where order_id = ${orderId} order by line_no`;
    expect(lines.map((l) => l.cancelled_quantity)).toEqual([0, 2]);

    // The key's repeat answers the finished cancellation, and nothing is done again.
    const again = await restarted.client.cancelOrder(request);
    expect(again.cancellation).toMatchObject({
      cancellationId: rows[0]?.id,
      status: "COMPLETED",
      refund: { amountMinor: MICE_REFUND },
      pointsReturned: MICE_POINTS,
    });
    expect((await downstream.paymentOf(paymentId)).refunds).toHaveLength(1);
    expect((await downstream.pointsOf(userId)).balance).toBe(1000n + MICE_POINTS);
  }, 90_000);
});
