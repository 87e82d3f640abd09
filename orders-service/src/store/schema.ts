import { outboxTable, type Totals } from "@checkout-saga/shared";
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import type { ShippingAddress } from "../domain/order.js";

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

/** OrderStatusChanged and OrderCancelled on their way to `order-events` (the shared relay). */
export const outbox = outboxTable;
