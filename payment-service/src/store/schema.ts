import { sql } from "drizzle-orm";
import { bigint, check, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const payments = pgTable(
  "payments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    idempotencyKey: text("idempotency_key").notNull().unique(),
    /** sha256 of checkout id, amount, currency and payment method: detects a key reused for another request. */
    requestFingerprint: text("request_fingerprint").notNull(),
    checkoutId: text("checkout_id").notNull(),
    currency: text("currency").notNull(),
    amountMinor: bigint("amount_minor", { mode: "number" }).notNull(),
    methodType: text("method_type").notNull(),
    /** The test token's name (e.g. tok_visa): the mock needs it, and it is no card secret. */
    cardToken: text("card_token").notNull(),
    status: text("status", { enum: ["SUCCEEDED", "DECLINED", "PENDING", "REFUNDED"] }).notNull(),
    declineCode: text("decline_code"),
    declineMessage: text("decline_message"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    refundedAt: timestamp("refunded_at", { withTimezone: true }),
    refundReason: text("refund_reason"),
  },
  (t) => [
    check("payments_status_check", sql`${t.status} in ('SUCCEEDED', 'DECLINED', 'PENDING', 'REFUNDED')`),
    check("payments_amount_positive", sql`${t.amountMinor} > 0`),
    check("payments_currency_code", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("payments_declined_has_code", sql`(${t.status} = 'DECLINED') = (${t.declineCode} is not null)`),
    check("payments_refunded_has_time", sql`(${t.status} = 'REFUNDED') = (${t.refundedAt} is not null)`),
  ],
);
