import { newTimeOrderedId, type Sql } from "@checkout-saga/shared";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { type Order, type OrderLine, totalsOfTotal } from "../domain/order.js";
import { needsTransition } from "../domain/order-status.js";
import type { OrderStore } from "../domain/order-store.js";
import { orderLines, orders } from "./schema.js";

type OrderRow = typeof orders.$inferSelect;
type LineRow = typeof orderLines.$inferSelect;

/** Orders in PostgreSQL (migrated beforehand by migrateOrdersDatabase). */
export function createPostgresOrderStore(client: Sql): OrderStore {
  const db = drizzle(client);
  type Db = Pick<typeof db, "select">;

  async function withLines(db: Db, rows: OrderRow[]): Promise<Order[]> {
    if (rows.length === 0) return [];
    const lines = await db
      .select()
      .from(orderLines)
      .where(
        inArray(
          orderLines.orderId,
          rows.map((r) => r.id),
        ),
      )
      .orderBy(asc(orderLines.orderId), asc(orderLines.lineNo));
    const byOrder = new Map<string, LineRow[]>();
    for (const l of lines) {
      const group = byOrder.get(l.orderId);
      if (group) group.push(l);
      else byOrder.set(l.orderId, [l]);
    }
    return rows.map((r) => toOrder(r, byOrder.get(r.id) ?? []));
  }

  return {
    async place(draft) {
      // One statement, one round trip: the order and its lines, or nothing when the checkout
      // already has one (a redelivered event). Plain SQL, as drizzle has no INSERT in a WITH;
      // JSON goes as text, whatever (de)serializers drizzle set on the client.
      const lines = draft.lines;
      const [placed] = await client<{ id: string }[]>`
        with placed as (
          insert into orders (id, checkout_id, user_id, status, currency, total_minor, totals, payment_id,
            shipping_address, source_event_id, checkout_completed_at)
          values (${newTimeOrderedId()}, ${draft.checkoutId}, ${draft.userId}, 'CONFIRMED', ${draft.total.currency},
            ${draft.total.amountMinor}, ${JSON.stringify(draft.totals ?? totalsOfTotal(draft.total))}::text::jsonb, ${draft.paymentId}, ${JSON.stringify(draft.shippingAddress)}::text::jsonb,
            ${draft.sourceEventId}, ${draft.checkoutCompletedAt?.toISOString() ?? null}::timestamptz)
          on conflict (checkout_id) do nothing
          returning id
        ), placed_lines as (
          insert into order_lines (order_id, line_no, product_id, name, quantity, currency, unit_price_minor)
          select placed.id, line.n, line.product_id, line.name, line.quantity, line.currency, line.unit_price_minor
          from placed, unnest(
            ${lines.map((l) => l.productId)}::text[], ${lines.map((l) => l.name)}::text[],
            ${lines.map((l) => l.quantity)}::int[], ${lines.map((l) => l.unitPrice.currency)}::text[],
            ${lines.map((l) => l.unitPrice.amountMinor)}::bigint[]
          ) with ordinality as line(product_id, name, quantity, currency, unit_price_minor, n)
        )
        select id from placed`;
      if (placed) return { orderId: placed.id, created: true };
      // The conflicting insert waited for the other transaction, so its row is visible now.
      const [existing] = await db.select({ id: orders.id }).from(orders).where(eq(orders.checkoutId, draft.checkoutId));
      if (!existing) throw new Error(`order for checkout ${draft.checkoutId} conflicted but cannot be read`);
      return { orderId: existing.id, created: false };
    },

    async get(id) {
      const rows = await db.select().from(orders).where(eq(orders.id, id));
      return (await withLines(db, rows))[0];
    },

    async list({ userId, checkoutId, limit, after }) {
      const rows = await db
        .select()
        .from(orders)
        .where(
          and(
            eq(orders.userId, userId),
            checkoutId === undefined ? undefined : eq(orders.checkoutId, checkoutId),
            after === undefined
              ? undefined
              : sql`(${orders.createdAt}, ${orders.id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`,
          ),
        )
        .orderBy(desc(orders.createdAt), desc(orders.id))
        .limit(limit + 1);
      const page = await withLines(db, rows.slice(0, limit));
      const last = page.at(-1);
      return {
        orders: page,
        next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : undefined,
      };
    },

    async updateStatus(id, status) {
      return db.transaction(async (tx) => {
        // Row lock: two concurrent updates see each other's result instead of both passing the check.
        const [row] = await tx.select().from(orders).where(eq(orders.id, id)).for("update");
        if (!row) return undefined;
        if (!needsTransition(id, row.status, status)) return (await withLines(tx, [row]))[0];
        const [updated] = await tx
          .update(orders)
          .set({ status, updatedAt: sql`now()` })
          .where(eq(orders.id, id))
          .returning();
        return (await withLines(tx, [updated!]))[0];
      });
    },
  };
}

function toOrder(r: OrderRow, lines: LineRow[]): Order {
  return {
    id: r.id,
    checkoutId: r.checkoutId,
    userId: r.userId,
    status: r.status,
    total: { currency: r.currency, amountMinor: r.totalMinor },
    totals: r.totals ?? totalsOfTotal({ currency: r.currency, amountMinor: r.totalMinor }),
    lines: lines.map(
      (l): OrderLine => ({
        productId: l.productId,
        name: l.name,
        quantity: l.quantity,
        unitPrice: { currency: l.currency, amountMinor: l.unitPriceMinor },
      }),
    ),
    shippingAddress: r.shippingAddress,
    paymentId: r.paymentId,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
