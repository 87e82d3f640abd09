import {
  failedPrecondition,
  newTimeOrderedId,
  type OutboxSignal,
  outboxInsertFor,
  type Sql,
  writeOutboxMessage,
} from "@checkout-saga/shared";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import type postgres from "postgres";
import {
  type Order,
  type OrderCancellation,
  type PlacedOrderLine,
  type StatusChange,
  totalsOfTotal,
} from "../domain/order.js";
import { ORDER_PLACED, planMove } from "../domain/order-status.js";
import type { OrderStore } from "../domain/order-store.js";
import { orderStatusChangedEvent } from "../events/order-status-changed-event.js";
import { orderCancellations, orderLines, orderStatusHistory, orders } from "./schema.js";

type OrderRow = typeof orders.$inferSelect;
type LineRow = typeof orderLines.$inferSelect;
type HistoryRow = typeof orderStatusHistory.$inferSelect;
type CancellationRow = typeof orderCancellations.$inferSelect;

/** Groups rows by their order id, keeping their order. */
function byOrderId<R extends { orderId: string }>(rows: R[]): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of rows) {
    const group = out.get(r.orderId);
    if (group) group.push(r);
    else out.set(r.orderId, [r]);
  }
  return out;
}

/**
 * Orders in PostgreSQL (migrated beforehand by migrateOrdersDatabase). Every status change is
 * written with its history row and its OrderStatusChanged outbox row in one transaction; the
 * `outboxSignal` is rung after the commit so the relay publishes at once.
 */
export function createPostgresOrderStore(
  client: Sql,
  options: { outboxSignal: OutboxSignal; now?: () => Date },
): OrderStore {
  const db = drizzle(client);
  const now = options.now ?? (() => new Date());

  /** The orders of `rows` with their lines and history, each read in one query for the lot. */
  async function complete(rows: OrderRow[]): Promise<Order[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [lines, history, cancellations] = await Promise.all([
      db
        .select()
        .from(orderLines)
        .where(inArray(orderLines.orderId, ids))
        .orderBy(asc(orderLines.orderId), asc(orderLines.lineNo)),
      db
        .select()
        .from(orderStatusHistory)
        .where(inArray(orderStatusHistory.orderId, ids))
        .orderBy(asc(orderStatusHistory.orderId), asc(orderStatusHistory.id)),
      db
        .select()
        .from(orderCancellations)
        .where(inArray(orderCancellations.orderId, ids))
        .orderBy(asc(orderCancellations.orderId), asc(orderCancellations.createdAt), asc(orderCancellations.id)),
    ]);
    const linesOf = byOrderId(lines);
    const historyOf = byOrderId(history);
    const cancellationsOf = byOrderId(cancellations);
    return rows.map((r) =>
      toOrder(r, linesOf.get(r.id) ?? [], historyOf.get(r.id) ?? [], cancellationsOf.get(r.id) ?? []),
    );
  }

  async function get(id: string): Promise<Order | undefined> {
    const rows = await db.select().from(orders).where(eq(orders.id, id));
    return (await complete(rows))[0];
  }

  return {
    async place(draft) {
      // One statement, one round trip: the order, its lines, its first history entry and its
      // event, or nothing when the checkout already has one (a redelivered event). Plain SQL,
      // as drizzle has no INSERT in a WITH; JSON goes as text, whatever (de)serializers drizzle
      // set on the client.
      const lines = draft.lines;
      const orderId = newTimeOrderedId();
      const first: StatusChange = { ...ORDER_PLACED, at: now() };
      const event = orderStatusChangedEvent({ id: orderId, userId: draft.userId, checkoutId: draft.checkoutId }, first);
      const [placed] = await client<{ id: string }[]>`
        with placed as (
          insert into orders (id, checkout_id, user_id, status, currency, total_minor, totals, payment_id,
            shipping_address, source_event_id, checkout_completed_at)
          values (${orderId}, ${draft.checkoutId}, ${draft.userId}, 'CONFIRMED', ${draft.total.currency},
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
        ), placed_history as (
          insert into order_status_history (order_id, from_status, to_status, reason, actor, at)
          select placed.id, null, ${first.to}, ${first.reason}, ${first.actor}, ${first.at.toISOString()}::timestamptz
          from placed
        ), announced as (${outboxInsertFor(client, "placed", event)})
        select id from placed`;
      if (placed) {
        options.outboxSignal.notify();
        return { orderId: placed.id, created: true };
      }
      // The conflicting insert waited for the other transaction, so its row is visible now.
      const [existing] = await db.select({ id: orders.id }).from(orders).where(eq(orders.checkoutId, draft.checkoutId));
      if (!existing) throw new Error(`order for checkout ${draft.checkoutId} conflicted but cannot be read`);
      return { orderId: existing.id, created: false };
    },

    get,

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
      const page = await complete(rows.slice(0, limit));
      const last = page.at(-1);
      return {
        orders: page,
        next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : undefined,
      };
    },

    async move(id, move, by) {
      const moved = await client.begin(async (tx) => {
        // Row lock: two concurrent moves see each other's result instead of both passing the check.
        const [row] = await tx<{ status: OrderRow["status"]; user_id: string; checkout_id: string }[]>`
          select status, user_id, checkout_id from orders where id = ${id} for update`;
        if (!row) return "missing";
        const planned = planMove({ id, status: row.status }, move, by);
        if (!planned) return "unchanged";
        if (move === "ship") await refuseWhileCancelling(tx, id);
        const change: StatusChange = { ...planned, at: now() };
        await tx`
          with moved as (
            update orders set status = ${change.to}, updated_at = ${change.at.toISOString()}::timestamptz
            where id = ${id} returning id
          )
          insert into order_status_history (order_id, from_status, to_status, reason, actor, at)
          select id, ${change.from ?? null}, ${change.to}, ${change.reason}, ${change.actor},
            ${change.at.toISOString()}::timestamptz
          from moved`;
        await writeOutboxMessage(
          tx,
          orderStatusChangedEvent({ id, userId: row.user_id, checkoutId: row.checkout_id }, change),
        );
        return "moved";
      });
      if (moved === "missing") return undefined;
      if (moved === "moved") options.outboxSignal.notify();
      return get(id);
    },
  };
}

/**
 * A cancellation still running may take back any unit: shipping waits for it to end, so what
 * ships is never refunded too. The order's row lock (held by the caller) keeps new ones out.
 */
async function refuseWhileCancelling(tx: postgres.TransactionSql, orderId: string): Promise<void> {
  const [running] = await tx<{ id: string }[]>`
    select id from order_cancellations where order_id = ${orderId} and status not in ('COMPLETED', 'FAILED') limit 1`;
  if (running) {
    throw failedPrecondition("ORDER_NOT_SHIPPABLE", `order ${orderId} has cancellation ${running.id} running`, {
      metadata: { order_id: orderId, cancellation_id: running.id },
    });
  }
}

function toOrder(r: OrderRow, lines: LineRow[], history: HistoryRow[], cancellations: CancellationRow[]): Order {
  return {
    id: r.id,
    checkoutId: r.checkoutId,
    userId: r.userId,
    status: r.status,
    total: { currency: r.currency, amountMinor: r.totalMinor },
    totals: r.totals ?? totalsOfTotal({ currency: r.currency, amountMinor: r.totalMinor }),
    lines: lines.map(
      (l): PlacedOrderLine => ({
        productId: l.productId,
        name: l.name,
        quantity: l.quantity,
        cancelledQuantity: l.cancelledQuantity,
        unitPrice: { currency: l.currency, amountMinor: l.unitPriceMinor },
      }),
    ),
    statusHistory: history.map(
      (h): StatusChange => ({
        ...(h.fromStatus === null ? {} : { from: h.fromStatus }),
        to: h.toStatus,
        reason: h.reason,
        actor: h.actor,
        at: h.at,
      }),
    ),
    cancellations: cancellations.map(
      (c): OrderCancellation => ({
        cancellationId: c.id,
        status: c.status,
        refund: { currency: c.currency, amountMinor: c.refundMinor },
        pointsReturned: c.pointsReturned,
        lines: c.lines,
        createdAt: c.createdAt,
      }),
    ),
    shippingAddress: r.shippingAddress,
    paymentId: r.paymentId,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
