import { sql } from "drizzle-orm";
import { bigint, check, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const payments = pgTable(
  "payments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    idempotencyKey: text("idempotency_key").notNull().unique(),
    // The charge request's fields are null exactly for VOIDED rows: tombstones of a charge undone
    // by its key before it was made, which record no request (payments_request_unless_voided).
    /** sha256 of checkout id, amount, currency and payment method: detects a key reused for another request. */
    requestFingerprint: text("request_fingerprint"),
    checkoutId: text("checkout_id"),
    currency: text("currency"),
    amountMinor: bigint("amount_minor", { mode: "number" }),
    methodType: text("method_type"),
    /** The test token's name (e.g. tok_visa): the mock needs it, and it is no card secret. */
    cardToken: text("card_token"),
    status: text("status", { enum: ["SUCCEEDED", "DECLINED", "PENDING", "REFUNDED", "VOIDED"] }).notNull(),
    declineCode: text("decline_code"),
    declineMessage: text("decline_message"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    refundedAt: timestamp("refunded_at", { withTimezone: true }),
    refundReason: text("refund_reason"),
    voidReason: text("void_reason"),
  },
  (t) => [
    check("payments_status_check", sql`${t.status} in ('SUCCEEDED', 'DECLINED', 'PENDING', 'REFUNDED', 'VOIDED')`),
    check("payments_voided_has_reason", sql`(${t.status} = 'VOIDED') = (${t.voidReason} is not null)`),
    check(
      "payments_request_unless_voided",
      sql`case when ${t.status} = 'VOIDED'
        then num_nonnulls(${t.requestFingerprint}, ${t.checkoutId}, ${t.currency}, ${t.amountMinor}, ${t.methodType}, ${t.cardToken}) = 0
        else num_nulls(${t.requestFingerprint}, ${t.checkoutId}, ${t.currency}, ${t.amountMinor}, ${t.methodType}, ${t.cardToken}) = 0
      end`,
    ),
    check("payments_amount_positive", sql`${t.amountMinor} > 0`),
    check("payments_currency_code", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("payments_declined_has_code", sql`(${t.status} = 'DECLINED') = (${t.declineCode} is not null)`),
    check("payments_refunded_has_time", sql`(${t.status} = 'REFUNDED') = (${t.refundedAt} is not null)`),
  ],
);
