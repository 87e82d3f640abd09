import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPostgres, migratePostgres } from "@checkout-saga/shared";
import { PaymentStatus } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { afterAll, expect, it } from "vitest";
import { startTestPaymentService } from "./support.js";

const migrations = fileURLToPath(new URL("../drizzle", import.meta.url));
const before = await mkdtemp(join(tmpdir(), "payment-migrations-"));

afterAll(async () => {
  await rm(before, { recursive: true, force: true });
});

/** The migrations as they stood before partial refunds: every entry up to 0002. */
async function migrationsBeforePartialRefunds(): Promise<string> {
  await cp(migrations, before, { recursive: true });
  const journalFile = join(before, "meta", "_journal.json");
  const journal = JSON.parse(await readFile(journalFile, "utf8")) as { entries: { tag: string }[] };
  const upTo = journal.entries.findIndex((e) => e.tag === "0003_partial_refunds");
  await writeFile(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo) }));
  return before;
}

it("gives a payment refunded before partial refunds one refund of all of it, without a key", async () => {
  const databaseUrl = await createTestDatabase("payment_refunds_migration");
  await migratePostgres(databaseUrl, await migrationsBeforePartialRefunds(), 50_054);
  const sql = createPostgres(databaseUrl, { max: 1 });
  const refundedAt = new Date("2026-11-30T10:00:00Z");
  const [refunded, charged] = ["0190a5e0-0000-7000-8000-000000000001", "0190a5e0-0000-7000-8000-000000000002"];
  try {
    await sql`
      insert into payments (id, idempotency_key, request_fingerprint, checkout_id, currency, amount_minor,
                            method_type, card_token, status, created_at, refunded_at, refund_reason)
      values (${refunded}, 'old-refunded', 'fp', 'co-1', 'USD', 12999, 'card', 'tok_visa', 'REFUNDED',
              ${refundedAt}, ${refundedAt}, 'checkout failed'),
             (${charged}, 'old-charged', 'fp', 'co-2', 'USD', 500, 'card', 'tok_visa', 'SUCCEEDED',
              ${refundedAt}, null, null)`;
  } finally {
    await sql.end();
  }

  const { service, client } = await startTestPaymentService(databaseUrl);
  try {
    expect((await client.getPayment({ paymentId: refunded })).payment).toMatchObject({
      status: PaymentStatus.REFUNDED,
      refunded: { currency: "USD", amountMinor: 12_999n },
      refunds: [{ refundKey: "", amount: { currency: "USD", amountMinor: 12_999n }, reason: "checkout failed" }],
    });
    expect((await client.getPayment({ paymentId: charged })).payment).toMatchObject({
      status: PaymentStatus.SUCCEEDED,
      refunded: { currency: "USD", amountMinor: 0n },
      refunds: [],
    });
    // And the compensation's refund of the migrated one stays a repeat: nothing more given back.
    expect((await client.refund({ paymentId: refunded, reason: "again" })).refund?.amount?.amountMinor).toBe(12_999n);
  } finally {
    await service.stop();
  }
});
