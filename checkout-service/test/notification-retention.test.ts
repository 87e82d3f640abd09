import { createOutboxSignal, createPostgres, createRetentionSweep, type Sql } from "@checkout-saga/shared";
import { createTestDatabase, testLogger } from "@checkout-saga/shared/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { PaymentNotification } from "../src/saga/checkout-store.js";
import { migrateCheckoutDatabase } from "../src/store/migrate-checkout-database.js";
import { createPostgresCheckoutStore } from "../src/store/postgres-checkout-store.js";

/**
 * Retention of payment notifications on a real PostgreSQL: the service's sweep (the shared
 * retention sweep over the store's delete) removes processed rows past the window in batches,
 * keeps recent and unprocessed ones, and a redelivery inside the window is still a duplicate.
 */
let sql: Sql;
let store: ReturnType<typeof createPostgresCheckoutStore>;

const notification = (webhookId: string): PaymentNotification => ({
  webhookId,
  type: "payment.succeeded",
  paymentId: `pay_${webhookId}`,
  checkoutId: "0b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42",
});

/** A notification received `receivedDaysAgo` and processed `processedDaysAgo` (or never). */
async function recorded(webhookId: string, receivedDaysAgo: number, processedDaysAgo?: number) {
  await sql`
    insert into payment_notifications (webhook_id, type, payment_id, checkout_id, received_at, processed_at)
    values (${webhookId}, 'payment.succeeded', ${`pay_${webhookId}`}, gen_random_uuid()::text,
            now() - ${receivedDaysAgo} * interval '1 day',
            case when ${processedDaysAgo !== undefined} then now() - ${processedDaysAgo ?? 0} * interval '1 day' end)`;
}

const sweep = (batchSize = 1_000) =>
  createRetentionSweep(
    { logger: testLogger(), what: "payment notifications", deleteBatch: (b) => store.deleteProcessedNotifications(b) },
    { retentionDays: 7, intervalMs: 60_000, batchSize, pauseMs: 0 },
  );

const remaining = async () =>
  (await sql<{ webhook_id: string }[]>`select webhook_id from payment_notifications order by webhook_id`).map(
    (r) => r.webhook_id,
  );

beforeAll(async () => {
  const url = await createTestDatabase("checkout_notification_retention");
  await migrateCheckoutDatabase(url);
  sql = createPostgres(url);
  store = createPostgresCheckoutStore(sql, { leaseMs: 1_000, outboxSignal: createOutboxSignal() });
});

afterAll(async () => {
  await sql?.end();
});

beforeEach(async () => {
  await sql`delete from payment_notifications`;
});

describe("payment notification retention", () => {
  it("deletes processed notifications past the window in batches, and keeps recent and unprocessed ones", async () => {
    for (const id of ["old-1", "old-2", "old-3", "old-4", "old-5"]) await recorded(id, 12, 10);
    await recorded("recent", 3, 3);
    // Received long ago, processed lately: the window counts from processing.
    await recorded("slow", 20, 1);
    // Recorded, never processed (the process died): a redelivery must still act on it.
    await recorded("unprocessed", 30);

    expect(await sweep(2).sweep()).toBe(5);

    expect(await remaining()).toEqual(["recent", "slow", "unprocessed"]);
    expect(await sweep(2).sweep()).toBe(0);
  });

  it("still recognises a redelivery inside the window after a sweep, and acts on an unprocessed one", async () => {
    expect(await store.recordNotification(notification("msg_1"))).toBe("new");
    await store.markNotificationProcessed("msg_1");
    await recorded("unprocessed", 30);

    await sweep().sweep();

    expect(await store.recordNotification(notification("msg_1"))).toBe("processed");
    expect(await store.recordNotification(notification("unprocessed"))).toBe("unprocessed");
  });

  it("sweeps on start and goes on sweeping until stopped", async () => {
    await recorded("old", 9, 8);
    const running = sweep().start();
    try {
      await expect.poll(remaining, { timeout: 5_000 }).toEqual([]);
    } finally {
      await running.stop();
    }
  });
});
