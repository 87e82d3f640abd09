import { outboxTable } from "@checkout-saga/shared";
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => "bytea" });
const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** One row per checkout: the saga's persisted state and what is needed to resume it. */
export const checkoutSessions = pgTable(
  "checkout_sessions",
  {
    id: uuid("id").primaryKey(),
    userId: text("user_id").notNull(),
    status: text("status").notNull(),
    currency: text("currency").notNull(),
    totalMinor: bigint("total_minor", { mode: "number" }).notNull(),
    /** Subtotal, points, total, tax per rate (JSON of Totals); null for checkouts created before totals existed. */
    totals: jsonb("totals"),
    items: jsonb("items").notNull(),
    shippingAddress: jsonb("shipping_address").notNull(),
    paymentMethodType: text("payment_method_type").notNull(),
    /** Needed to charge after a restart; never logged, never returned. */
    paymentToken: text("payment_token").notNull(),
    /** konbini: the chain the customer named, if any. */
    paymentStore: text("payment_store"),
    /** konbini: the voucher the provider issued ({confirmationNumber, store?, expiresAt}). */
    konbini: jsonb("konbini"),
    reservationId: text("reservation_id"),
    paymentId: text("payment_id"),
    failure: jsonb("failure"),
    stepMode: boolean("step_mode").notNull().default(false),
    needsAttention: boolean("needs_attention").notNull().default(false),
    compensationAttempts: integer("compensation_attempts").notNull().default(0),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: timestamptz("lease_expires_at"),
    paymentDeadline: timestamptz("payment_deadline"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
    version: integer("version").notNull().default(1),
  },
  (t) => [
    index("checkout_sessions_user_created_idx").on(t.userId, t.createdAt.desc(), t.id.desc()),
    index("checkout_sessions_created_idx").on(t.createdAt.desc(), t.id.desc()),
    // Recovery scans only what is still moving.
    index("checkout_sessions_unfinished_idx").on(t.updatedAt).where(sql`${t.status} not in ('COMPLETED', 'FAILED')`),
    index("checkout_sessions_attention_idx").on(t.createdAt.desc()).where(sql`${t.needsAttention}`),
  ],
);

/** Every transition of every checkout, with time and reason. */
export const checkoutTransitions = pgTable(
  "checkout_transitions",
  {
    checkoutId: uuid("checkout_id")
      .notNull()
      .references(() => checkoutSessions.id),
    seq: integer("seq").notNull(),
    /** Null for the row that records the checkout's creation. */
    fromStatus: text("from_status"),
    toStatus: text("to_status").notNull(),
    reason: text("reason").notNull(),
    at: timestamptz("at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.checkoutId, t.seq] })],
);

/**
 * Events written in the same transaction as the state they announce; the relay publishes them.
 * The shared definition, so this schema and the shared relay and queries agree on one table.
 */
export const outbox = outboxTable;

/**
 * Payment notifications (verified webhooks) by webhook-id: inserted once, so a redelivery is
 * recognised; `processed_at` is set once the checkout was moved, so a delivery whose first
 * attempt died before that is acted on again. Processed rows are deleted after
 * CHECKOUT_NOTIFICATION_RETENTION_DAYS (found through the partial index); unprocessed ones never.
 */
export const paymentNotifications = pgTable(
  "payment_notifications",
  {
    webhookId: text("webhook_id").primaryKey(),
    type: text("type").notNull(),
    paymentId: text("payment_id").notNull(),
    checkoutId: text("checkout_id").notNull(),
    receivedAt: timestamptz("received_at").notNull().defaultNow(),
    processedAt: timestamptz("processed_at"),
  },
  (t) => [index("payment_notifications_processed_at_idx").on(t.processedAt).where(sql`${t.processedAt} is not null`)],
);

/** (user, Idempotency-Key) → the checkout it started and, once known, the first response. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: text("user_id").notNull(),
    key: text("key").notNull(),
    /** SHA-256 of the canonical normalized request. */
    requestFingerprint: text("request_fingerprint").notNull(),
    checkoutId: uuid("checkout_id")
      .notNull()
      .references(() => checkoutSessions.id),
    /** The encoded InitiateCheckoutResponse of the first call, once it has an outcome. */
    response: bytea("response"),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    completedAt: timestamptz("completed_at"),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index("idempotency_keys_checkout_idx").on(t.checkoutId)],
);
