import { PAYMENT_WEBHOOK_TYPES } from "@checkout-saga/shared";
import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const timestamptz = (name: string) => timestamp(name, { withTimezone: true });

export const payments = pgTable(
  "payments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    idempotencyKey: text("idempotency_key").notNull().unique(),
    // The charge request's fields are null exactly for tombstones: VOIDED rows of a charge undone
    // by its key before it was made, which record no request (payments_request_unless_voided).
    /** sha256 of checkout id, amount, currency and payment method: detects a key reused for another request. */
    requestFingerprint: text("request_fingerprint"),
    checkoutId: text("checkout_id"),
    currency: text("currency"),
    amountMinor: bigint("amount_minor", { mode: "number" }),
    methodType: text("method_type"),
    /** The test token's name (e.g. tok_visa): the mock needs it, and it is no card secret. Cards only. */
    cardToken: text("card_token"),
    status: text("status", {
      enum: ["SUCCEEDED", "DECLINED", "PENDING", "REFUNDED", "VOIDED", "EXPIRED"],
    }).notNull(),
    declineCode: text("decline_code"),
    declineMessage: text("decline_message"),
    createdAt: timestamptz("created_at").notNull(),
    /** The sum of the payment's refunds (payment_refunds), kept here so a check can hold it within the amount. */
    refundedMinor: bigint("refunded_minor", { mode: "number" }).notNull().default(0),
    /** When the payment became REFUNDED (its refunds reached its amount). */
    refundedAt: timestamptz("refunded_at"),
    refundReason: text("refund_reason"),
    voidReason: text("void_reason"),
    /** The chain a konbini payment names (PaymentMethod.store), if any. */
    konbiniStore: text("konbini_store"),
    // A konbini payment's voucher: every konbini payment but a DECLINED one has it.
    konbiniConfirmationNumber: text("konbini_confirmation_number"),
    /** From this instant a PENDING payment is EXPIRED (by the sweeper, or by whatever reads it first). */
    expiresAt: timestamptz("expires_at"),
    /** When the customer paid at the store. */
    paidAt: timestamptz("paid_at"),
  },
  (t) => [
    check(
      "payments_status_check",
      sql`${t.status} in ('SUCCEEDED', 'DECLINED', 'PENDING', 'REFUNDED', 'VOIDED', 'EXPIRED')`,
    ),
    check("payments_voided_has_reason", sql`(${t.status} = 'VOIDED') = (${t.voidReason} is not null)`),
    check(
      "payments_request_unless_voided",
      sql`case when ${t.requestFingerprint} is null
        then ${t.status} = 'VOIDED' and num_nonnulls(${t.checkoutId}, ${t.currency}, ${t.amountMinor}, ${t.methodType}, ${t.cardToken}, ${t.konbiniConfirmationNumber}) = 0
        else num_nulls(${t.checkoutId}, ${t.currency}, ${t.amountMinor}, ${t.methodType}) = 0
      end`,
    ),
    check("payments_card_has_token", sql`(${t.methodType} = 'card') = (${t.cardToken} is not null)`),
    // Only a pending voucher can be cancelled or expire; a card is never pending.
    check(
      "payments_konbini_outcomes",
      sql`${t.status} not in ('PENDING', 'EXPIRED') and (${t.status} <> 'VOIDED' or ${t.requestFingerprint} is null)
        or ${t.methodType} = 'konbini'`,
    ),
    check(
      "payments_konbini_has_voucher",
      sql`(${t.konbiniConfirmationNumber} is not null) = (${t.methodType} = 'konbini' and ${t.status} <> 'DECLINED')
        and (${t.konbiniConfirmationNumber} is null) = (${t.expiresAt} is null)
        and (${t.konbiniStore} is null or ${t.methodType} = 'konbini')`,
    ),
    check(
      "payments_paid_at_store",
      sql`(${t.paidAt} is not null) = (${t.konbiniConfirmationNumber} is not null and ${t.status} in ('SUCCEEDED', 'REFUNDED'))`,
    ),
    check("payments_amount_positive", sql`${t.amountMinor} > 0`),
    check("payments_currency_code", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("payments_declined_has_code", sql`(${t.status} = 'DECLINED') = (${t.declineCode} is not null)`),
    check("payments_refunded_has_time", sql`(${t.status} = 'REFUNDED') = (${t.refundedAt} is not null)`),
    // The last line against refunding more than was paid, whatever a query does.
    check("payments_refunded_within_amount", sql`${t.refundedMinor} between 0 and coalesce(${t.amountMinor}, 0)`),
    check("payments_refunded_in_full", sql`(${t.status} = 'REFUNDED') = (${t.refundedMinor} = ${t.amountMinor})`),
    uniqueIndex("payments_konbini_confirmation_number_unique").on(t.konbiniConfirmationNumber),
    // The expiry sweeper reads only what is pending, however many payments are settled.
    index("payments_pending_expiry_idx").on(t.expiresAt).where(sql`${t.status} = 'PENDING'`),
  ],
);

/**
 * Money given back from a payment, in its currency; append-only. The key makes a retried refund
 * find the first one: "" is the refund of all that was left, asked without a key.
 */
export const paymentRefunds = pgTable(
  "payment_refunds",
  {
    paymentId: uuid("payment_id")
      .notNull()
      .references(() => payments.id),
    refundKey: text("refund_key").notNull(),
    amountMinor: bigint("amount_minor", { mode: "number" }).notNull(),
    reason: text("reason").notNull(),
    createdAt: timestamptz("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.paymentId, t.refundKey] }),
    check("payment_refunds_amount_positive", sql`${t.amountMinor} > 0`),
  ],
);

/**
 * The provider's outbox: one row per webhook owed, written in the transaction that changed the
 * payment's outcome, then POSTed by a delivery worker until the receiver takes it (DELIVERED) or
 * the retry policy gives up (DEAD). Never deleted by the service: a dead row stays for an operator.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    /** The `webhook-id` of every attempt. */
    id: uuid("id").primaryKey(),
    paymentId: uuid("payment_id")
      .notNull()
      .references(() => payments.id),
    eventType: text("event_type", { enum: PAYMENT_WEBHOOK_TYPES }).notNull(),
    /** The JSON body as written; text, not jsonb, so every attempt sends the very same bytes. */
    body: text("body").notNull(),
    status: text("status", { enum: ["PENDING", "DELIVERED", "DEAD"] }).notNull(),
    createdAt: timestamptz("created_at").notNull(),
    /**
     * When a worker may next claim it: the next retry, or while an attempt is in flight the end
     * of that worker's lease (a worker that dies mid-attempt leaves it to be claimed again then).
     */
    nextAttemptAt: timestamptz("next_attempt_at").notNull(),
    /** Attempts started, the one in flight included; also the claim's fencing token. */
    attempts: integer("attempts").notNull().default(0),
    lastAttemptAt: timestamptz("last_attempt_at"),
    lastError: text("last_error"),
    deliveredAt: timestamptz("delivered_at"),
    deadAt: timestamptz("dead_at"),
  },
  (t) => [
    check("webhook_deliveries_status_check", sql`${t.status} in ('PENDING', 'DELIVERED', 'DEAD')`),
    check(
      "webhook_deliveries_event_type_check",
      sql`${t.eventType} in ('payment.succeeded', 'payment.expired', 'payment.failed')`,
    ),
    check("webhook_deliveries_delivered_at", sql`(${t.status} = 'DELIVERED') = (${t.deliveredAt} is not null)`),
    check("webhook_deliveries_dead_at", sql`(${t.status} = 'DEAD') = (${t.deadAt} is not null)`),
    // A payment reaches each outcome once, so it owes each webhook once.
    uniqueIndex("webhook_deliveries_payment_event_unique").on(t.paymentId, t.eventType),
    // The workers' claim and the pending gauge read only what is pending.
    index("webhook_deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'PENDING'`),
  ],
);
