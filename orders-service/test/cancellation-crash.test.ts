import { createOutboxSignal, createPostgres, type Sql } from "@checkout-saga/shared";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CrashPoint } from "../src/cancellation/cancellation-faults.js";
import { draftOrder } from "../src/domain/order.js";
import { createPostgresOrderStore, migrateOrdersDatabase } from "../src/index.js";
import { startCancellationDownstream } from "./cancellation-downstream.js";
import { type OrdersProcess, startOrdersProcess } from "./orders-process.js";

/**
 * SIGKILL between a downstream effect and the commit that records it: orders-service runs as
 * its own process against the real payment and inventory services, dies at a crash point
 * (ORDERS_CRASH_AT), and is started again without the hook. Its recovery loop must finish the
 * cancellation with exactly one refund, one restock and one OrderCancelled.
 */

const mice = { productId: "2", name: "Mouse", quantity: 2, unitPriceMinor: 2999 };
const laptop = { productId: "1", name: "Laptop", quantity: 1, unitPriceMinor: 129999 };

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

/** A laptop and two mice bought for real (held, sold, charged) and placed as `userId`'s order. */
async function placeOrder(userId: string) {
  const { checkoutId, paymentId } = await downstream.purchase([laptop, mice]);
  const orders = createPostgresOrderStore(db, { outboxSignal: createOutboxSignal() });
  const { orderId } = await orders.place(
    draftOrder({
      checkoutId,
      userId,
      total: { currency: "USD", amountMinor: 129999 + 2 * 2999 },
      lines: [laptop, mice].map((l) => ({
        productId: l.productId,
        name: l.name,
        quantity: l.quantity,
        unitPrice: { currency: "USD", amountMinor: l.unitPriceMinor },
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
  return { orderId, paymentId };
}

async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(["after-refund", "after-return"] as CrashPoint[])("killed at %s", (point) => {
  it("finishes after a restart: one refund, one restock, one OrderCancelled", async () => {
    const userId = `crash-${point}`;
    const { orderId, paymentId } = await placeOrder(userId);
    const miceBefore = await downstream.availableOf("2");
    const request = { orderId, userId, idempotencyKey: "cancel-mice", lines: [{ productId: "2", quantity: 2 }] };

    const doomed = await startService({ ORDERS_CRASH_AT: point });
    await expect(doomed.client.cancelOrder(request)).rejects.toThrow();
    expect((await doomed.exited).signal, doomed.output()).toBe("SIGKILL");
    processes.delete(doomed);

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
    expect(payment.refunds.map((r) => [r.refundKey, r.amount?.amountMinor])).toEqual([[rows[0]?.id, 5998n]]);
    expect(await downstream.availableOf("2")).toBe(miceBefore + 2);
    const events = await db<{ event_type: string }[]>`
      select event_type from outbox where aggregate_id = ${orderId} order by id`;
    expect(events.map((e) => e.event_type)).toEqual(["OrderStatusChanged", "OrderCancelled"]);
    const lines = await db<{ cancelled_quantity: number }[]>`
      select cancelled_quantity from order_lines where order_id = ${orderId} order by line_no`;
    expect(lines.map((l) => l.cancelled_quantity)).toEqual([0, 2]);

    // The key's repeat answers the finished cancellation, and nothing is done again.
    const again = await restarted.client.cancelOrder(request);
    expect(again.cancellation).toMatchObject({ cancellationId: rows[0]?.id, status: "COMPLETED" });
    expect((await downstream.paymentOf(paymentId)).refunds).toHaveLength(1);
  }, 90_000);
});
