import {
  failedPrecondition,
  newTimeOrderedId,
  type OutboxSignal,
  outboxInsertFor,
  type ShippingAddress,
  type Sql,
  type Totals,
  writeOutboxMessage,
} from "@checkout-saga/shared";
import type postgres from "postgres";
import {
  type Order,
  type OrderCancellation,
  type OrderLine,
  type OrderStatus,
  type StatusChange,
  totalsOfTotal,
} from "../domain/order.js";
import { ORDER_PLACED, planMove } from "../domain/order-status.js";
import type { OrderStore } from "../domain/order-store.js";
import { orderStatusChangedEvent } from "../events/order-status-changed-event.js";
import { type OrderLineRow, toPlacedOrderLine } from "./record-on-order.js";

/** The columns read back, as postgres.js hands them: int8 as text (every digit kept), jsonb parsed. */
interface OrderRow {
  id: string;
  checkout_id: string;
  user_id: string;
  status: OrderStatus;
  currency: string;
  total_minor: string;
  totals: Totals | null;
  payment_id: string;
  shipping_address: ShippingAddress;
  created_at: Date;
  updated_at: Date;
}
const ORDER_COLUMNS = [
  "id",
  "checkout_id",
  "user_id",
  "status",
  "currency",
  "total_minor",
  "totals",
  "payment_id",
  "shipping_address",
  "created_at",
  "updated_at",
];

interface LineRow extends OrderLineRow {
  order_id: string;
}

interface HistoryRow {
  order_id: string;
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  reason: string;
  actor: string;
  at: Date;
}

interface CancellationRow {
  order_id: string;
  id: string;
  status: string;
  currency: string;
  refund_minor: string;
  points_returned: string;
  lines: OrderLine[];
  created_at: Date;
}

/** Groups rows by their order id, keeping their order. */
function byOrderId<R extends { order_id: string }>(rows: R[]): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of rows) {
    const group = out.get(r.order_id);
    if (group) group.push(r);
    else out.set(r.order_id, [r]);
  }
  return out;
}

/**
 * Orders in PostgreSQL (migrated beforehand by migrateOrdersDatabase). Every status change is
 * written with its history row and its OrderStatusChanged outbox row in one transaction; the
 * `outboxSignal` is rung after the commit so the relay publishes at once. Plain SQL on the
 * service's one pool: drizzle would rewire the pool's date and JSON (de)serializers for every
 * other query on it (the cancellations, the outbox).
 */
export function createPostgresOrderStore(
  client: Sql,
  options: { outboxSignal: OutboxSignal; now?: () => Date },
): OrderStore {
  const now = options.now ?? (() => new Date());
  const columns = client(ORDER_COLUMNS);

  /** The orders of `rows` with their lines and history, each read in one query for the lot. */
  async function complete(rows: OrderRow[]): Promise<Order[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [lines, history, cancellations] = await Promise.all([
      client<LineRow[]>`
        select order_id, product_id, name, quantity, cancelled_quantity, currency, unit_price_minor
        from order_lines where order_id = any(${ids}::uuid[]) order by order_id, line_no`,
      client<HistoryRow[]>`
        select order_id, from_status, to_status, reason, actor, at
        from order_status_history where order_id = any(${ids}::uuid[]) order by order_id, id`,
      client<CancellationRow[]>`
        select order_id, id, status, currency, refund_minor, points_returned, lines, created_at
        from order_cancellations where order_id = any(${ids}::uuid[]) order by order_id, created_at, id`,
    ]);
    const linesOf = byOrderId(lines);
    const historyOf = byOrderId(history);
    const cancellationsOf = byOrderId(cancellations);
    return rows.map((r) =>
      toOrder(r, linesOf.get(r.id) ?? [], historyOf.get(r.id) ?? [], cancellationsOf.get(r.id) ?? []),
    );
  }

  async function get(id: string): Promise<Order | undefined> {
    const rows = await client<OrderRow[]>`select ${columns} from orders where id = ${id}`;
    return (await complete(rows))[0];
  }

  return {
    async place(draft) {
      // One statement, one round trip: the order, its lines, its first history entry and its
      // event, or nothing when the checkout already has one (a redelivered event).
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
      const [existing] = await client<{ id: string }[]>`
        select id from orders where checkout_id = ${draft.checkoutId}`;
      if (!existing) throw new Error(`order for checkout ${draft.checkoutId} conflicted but cannot be read`);
      return { orderId: existing.id, created: false };
    },

    get,

    async exists(id) {
      const rows = await client`select 1 from orders where id = ${id}`;
      return rows.length > 0;
    },

    async list({ userId, checkoutId, limit, after }) {
      const rows = await client<OrderRow[]>`
        select ${columns} from orders
        where user_id = ${userId}
          ${checkoutId === undefined ? client`` : client`and checkout_id = ${checkoutId}`}
          ${after === undefined ? client`` : client`and (created_at, id) < (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`}
        order by created_at desc, id desc
        limit ${limit + 1}`;
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
        const [row] = await tx<{ status: OrderStatus; user_id: string; checkout_id: string }[]>`
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
  const total = { currency: r.currency, amountMinor: Number(r.total_minor) };
  return {
    id: r.id,
    checkoutId: r.checkout_id,
    userId: r.user_id,
    status: r.status,
    total,
    totals: r.totals ?? totalsOfTotal(total),
    lines: lines.map(toPlacedOrderLine),
    statusHistory: history.map(
      (h): StatusChange => ({
        ...(h.from_status === null ? {} : { from: h.from_status }),
        to: h.to_status,
        reason: h.reason,
        actor: h.actor,
        at: h.at,
      }),
    ),
    cancellations: cancellations.map(
      (c): OrderCancellation => ({
        cancellationId: c.id,
        status: c.status,
        refund: { currency: c.currency, amountMinor: Number(c.refund_minor) },
        pointsReturned: Number(c.points_returned),
        lines: c.lines,
        createdAt: c.created_at,
      }),
    ),
    shippingAddress: r.shipping_address,
    paymentId: r.payment_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
