import type { SagaFailure } from "@checkout-saga/shared";
import { outboxTable, type Totals } from "@checkout-saga/shared";
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import type { OrderLine, ShippingAddress } from "../domain/order.js";

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => "bytea" });

// Millisecond precision: page tokens carry created_at as a JS Date, which has no microseconds.
const timestampMs = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

const ORDER_STATUSES = ["CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED"] as const;

export const orders = pgTable(
  "orders",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // One order per checkout: redelivered or replayed CheckoutCompleted events conflict here.
    checkoutId: text("checkout_id").notNull().unique(),
    userId: text("user_id").notNull(),
    status: text("status", { enum: ORDER_STATUSES }).notNull(),
    currency: text("currency").notNull(),
    totalMinor: bigint("total_minor", { mode: "number" }).notNull(),
    /** The checkout's Totals (JSON); null for orders placed before checkouts computed them. */
    totals: jsonb("totals").$type<Totals>(),
    paymentId: text("payment_id").notNull(),
    shippingAddress: jsonb("shipping_address").$type<ShippingAddress>().notNull(),
    sourceEventId: text("source_event_id").notNull(),
    checkoutCompletedAt: timestampMs("checkout_completed_at"),
    createdAt: timestampMs("created_at").notNull().defaultNow(),
    updatedAt: timestampMs("updated_at").notNull().defaultNow(),
  },
  (t) => [
    // ListOrders: a user's orders newest first, keyset-paged on (created_at, id).
    index("orders_user_created_idx").on(t.userId, t.createdAt.desc(), t.id.desc()),
    check("orders_status_check", sql`${t.status} in ('CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED')`),
    check("orders_total_check", sql`${t.totalMinor} >= 0`),
  ],
);

export const orderLines = pgTable(
  "order_lines",
  {
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    lineNo: integer("line_no").notNull(),
    productId: text("product_id").notNull(),
    name: text("name").notNull(),
    quantity: integer("quantity").notNull(),
    /** Units cancellations took back; the cancellation saga raises it. */
    cancelledQuantity: integer("cancelled_quantity").notNull().default(0),
    currency: text("currency").notNull(),
    unitPriceMinor: bigint("unit_price_minor", { mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.lineNo] }),
    check("order_lines_quantity_check", sql`${t.quantity} > 0`),
    check("order_lines_cancelled_quantity_check", sql`${t.cancelledQuantity} between 0 and ${t.quantity}`),
    check("order_lines_unit_price_check", sql`${t.unitPriceMinor} >= 0`),
  ],
);

/** Every status change of an order, written in the transaction that makes it. */
export const orderStatusHistory = pgTable(
  "order_status_history",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    /** Null for the first entry: the order was placed CONFIRMED. */
    fromStatus: text("from_status", { enum: ORDER_STATUSES }),
    toStatus: text("to_status", { enum: ORDER_STATUSES }).notNull(),
    reason: text("reason").notNull(),
    /** `user:<id>` or `service:<name>`. */
    actor: text("actor").notNull(),
    at: timestampMs("at").notNull().defaultNow(),
  },
  (t) => [index("order_status_history_order_idx").on(t.orderId, t.id)],
);

/**
 * One row per cancellation: the cancellation saga's persisted state, its lease, and the
 * Idempotency-Key (scoped to who asked) with the first answer it replays.
 */
export const orderCancellations = pgTable(
  "order_cancellations",
  {
    id: uuid("id").primaryKey(),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    status: text("status").notNull(),
    /** `user:<id>` or `service:<name>`: who asked, and the scope of the idempotency key. */
    requestedBy: text("requested_by").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    /** SHA-256 of the normalized request. */
    requestFingerprint: text("request_fingerprint").notNull(),
    /** The encoded CancelOrderResponse of the first call, once it answered. */
    response: bytea("response"),
    reason: text("reason").notNull(),
    /** The units taken back, at their bought prices (JSON of OrderLine[]). */
    lines: jsonb("lines").$type<OrderLine[]>().notNull(),
    currency: text("currency").notNull(),
    refundMinor: bigint("refund_minor", { mode: "number" }).notNull(),
    /** Redeemed points it gives back: the lines' value not refunded in money. */
    pointsReturned: bigint("points_returned", { mode: "number" }).notNull().default(0),
    failure: jsonb("failure").$type<SagaFailure>(),
    needsAttention: boolean("needs_attention").notNull().default(false),
    compensationAttempts: integer("compensation_attempts").notNull().default(0),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: timestampMs("lease_expires_at"),
    createdAt: timestampMs("created_at").notNull().defaultNow(),
    updatedAt: timestampMs("updated_at").notNull().defaultNow(),
  },
  (t) => [
    unique("order_cancellations_idempotency_key").on(t.requestedBy, t.idempotencyKey),
    index("order_cancellations_order_idx").on(t.orderId, t.createdAt),
    // Recovery and the in-flight check scan only what is still moving.
    index("order_cancellations_unfinished_idx").on(t.updatedAt).where(sql`${t.status} not in ('COMPLETED', 'FAILED')`),
    check("order_cancellations_refund_check", sql`${t.refundMinor} >= 0`),
    check("order_cancellations_points_returned_check", sql`${t.pointsReturned} >= 0`),
  ],
);

/** Every transition of every cancellation, with time and reason. */
export const orderCancellationTransitions = pgTable(
  "order_cancellation_transitions",
  {
    cancellationId: uuid("cancellation_id")
      .notNull()
      .references(() => orderCancellations.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    /** Null for the row that records the cancellation's creation. */
    fromStatus: text("from_status"),
    toStatus: text("to_status").notNull(),
    reason: text("reason").notNull(),
    at: timestampMs("at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.cancellationId, t.seq] })],
);

/** OrderStatusChanged and OrderCancelled on their way to `order-events` (the shared relay). */
export const outbox = outboxTable;
