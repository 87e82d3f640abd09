import { writeOutboxMessage } from "@checkout-saga/shared";
import type postgres from "postgres";
import type { Cancellation } from "../cancellation/cancellation-saga.js";
import { recordCancellation } from "../domain/cancellation.js";
import type { OrderStatus, PlacedOrderLine, StatusChange } from "../domain/order.js";
import { orderCancelledEvent } from "../events/order-cancelled-event.js";
import { orderStatusChangedEvent } from "../events/order-status-changed-event.js";

/** An order line's row as postgres.js reads it (int8 as text). */
export interface OrderLineRow {
  product_id: string;
  name: string;
  quantity: number;
  cancelled_quantity: number;
  currency: string;
  unit_price_minor: string;
}

export const toPlacedOrderLine = (r: OrderLineRow): PlacedOrderLine => ({
  productId: r.product_id,
  name: r.name,
  quantity: r.quantity,
  cancelledQuantity: r.cancelled_quantity,
  unitPrice: { currency: r.currency, amountMinor: Number(r.unit_price_minor) },
});

/** An order's lines in line order, as the cancellation rules read them. */
export async function readOrderLines(tx: postgres.TransactionSql, orderId: string): Promise<PlacedOrderLine[]> {
  const rows = await tx<OrderLineRow[]>`
    select product_id, name, quantity, cancelled_quantity, currency, unit_price_minor
    from order_lines where order_id = ${orderId} order by line_no`;
  return rows.map(toPlacedOrderLine);
}

/**
 * Inside the COMPLETED transition's transaction: the cancelled units on the order's lines, the
 * order CANCELLED (history row, OrderStatusChanged) once every unit is, and OrderCancelled —
 * all committed with the saga's final state or not at all, so a restart can never record twice.
 */
export async function recordOnOrder(tx: postgres.TransactionSql, cancellation: Cancellation, at: Date): Promise<void> {
  const [order] = await tx<{ status: OrderStatus; user_id: string; checkout_id: string }[]>`
    select status, user_id, checkout_id from orders where id = ${cancellation.orderId} for update`;
  if (!order) throw new Error(`order ${cancellation.orderId} of cancellation ${cancellation.id} is gone`);
  const ref = { id: cancellation.orderId, userId: order.user_id, checkoutId: order.checkout_id };
  const recorded = recordCancellation(
    { id: cancellation.orderId, status: order.status, lines: await readOrderLines(tx, cancellation.orderId) },
    cancellation.lines,
    { actor: cancellation.requestedBy, reason: cancellation.reason },
  );
  await tx`
    update order_lines l set cancelled_quantity = u.cancelled
    from unnest(${recorded.lines.map((l) => l.cancelledQuantity)}::int[]) with ordinality as u(cancelled, line_no)
    where l.order_id = ${cancellation.orderId} and l.line_no = u.line_no`;
  let status = order.status;
  if (recorded.statusChange) {
    const change: StatusChange = { ...recorded.statusChange, at };
    status = change.to;
    await tx`
      insert into order_status_history (order_id, from_status, to_status, reason, actor, at)
      values (${cancellation.orderId}, ${change.from ?? null}, ${change.to}, ${change.reason}, ${change.actor}, ${at.toISOString()}::timestamptz)`;
    await writeOutboxMessage(tx, orderStatusChangedEvent(ref, change));
  }
  await tx`update orders set status = ${status}, updated_at = ${at.toISOString()}::timestamptz where id = ${cancellation.orderId}`;
  await writeOutboxMessage(tx, orderCancelledEvent({ ...ref, status }, cancellation, at));
}
