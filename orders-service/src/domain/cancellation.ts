import { createHash } from "node:crypto";
import { type Amount, failedPrecondition, multiplyMoney, sumMoney } from "@checkout-saga/shared";
import type { OrderLine, OrderStatus, PlacedOrderLine } from "./order.js";
import { type PlannedChange, planMove } from "./order-status.js";

/** Units of one product, as a customer names them in a cancellation request. */
export interface LineQuantity {
  productId: string;
  quantity: number;
}

/** What a customer (or an admin) asks: some units of some products, or everything left when `lines` is absent. */
export interface CancellationRequest {
  orderId: string;
  lines?: LineQuantity[];
  reason: string;
}

/** The lines a cancellation takes back (bought prices) and what it refunds for them. */
export interface CancellationPlan {
  lines: OrderLine[];
  refund: Amount;
}

/** The order as a new cancellation is checked against it, read under the order's row lock. */
export interface CancellableOrder {
  id: string;
  status: OrderStatus;
  currency: string;
  lines: PlacedOrderLine[];
}

/** Request lines naming one product several times are added up; sorted by product id, so equal requests compare equal. */
export function normalizeRequest(request: CancellationRequest): CancellationRequest {
  const reason = request.reason.trim();
  if (!request.lines || request.lines.length === 0) return { orderId: request.orderId, reason };
  const merged = new Map<string, number>();
  for (const l of request.lines) merged.set(l.productId, (merged.get(l.productId) ?? 0) + l.quantity);
  const lines = [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { orderId: request.orderId, reason, lines: lines.map(([productId, quantity]) => ({ productId, quantity })) };
}

/** SHA-256 of the normalized request: what an Idempotency-Key is checked against when it comes back. */
export function requestFingerprint(request: CancellationRequest): string {
  const n = normalizeRequest(request);
  return createHash("sha256")
    .update(JSON.stringify({ order: n.orderId, lines: n.lines ?? "all", reason: n.reason }))
    .digest("hex");
}

/** Units per product that running (not yet COMPLETED or FAILED) cancellations are taking back. */
export function unitsInFlight(running: readonly { lines: readonly LineQuantity[] }[]): Map<string, number> {
  const units = new Map<string, number>();
  for (const c of running) for (const l of c.lines) units.set(l.productId, (units.get(l.productId) ?? 0) + l.quantity);
  return units;
}

/**
 * Decides a new cancellation of `order`: only while it is CONFIRMED, and never more units of a
 * product than it has left — bought, minus cancelled, minus what running cancellations take —
 * so cancellations checked one after another under the order's lock can never over-cancel.
 * Without request lines it takes everything left. The refund is those lines' bought price.
 */
export function planCancellation(
  order: CancellableOrder,
  inFlight: ReadonlyMap<string, number>,
  request: CancellationRequest,
): CancellationPlan {
  if (order.status !== "CONFIRMED") {
    throw notCancellable(order, `order ${order.id} is ${order.status}: only a CONFIRMED order can be cancelled`);
  }
  const left = leftToCancel(order, inFlight);
  const wanted = normalizeRequest(request).lines ?? [...left].map(([productId, quantity]) => ({ productId, quantity }));
  const excess = wanted.flatMap(({ productId, quantity }) => {
    const available = left.get(productId) ?? 0;
    return quantity > available ? [{ productId, requested: quantity, available }] : [];
  });
  if (excess.length > 0) {
    const detail = excess.map((e) => `product ${e.productId}: ${e.requested} asked, ${e.available} left`).join("; ");
    throw failedPrecondition("CANCEL_EXCEEDS_ORDER", `order ${order.id} has fewer units left to cancel (${detail})`, {
      metadata: { order_id: order.id },
      lines: excess,
    });
  }
  const lines = takeUnits(order.lines, wanted);
  if (lines.length === 0) {
    throw notCancellable(
      order,
      `order ${order.id} has nothing left to cancel: every unit is cancelled or being cancelled`,
    );
  }
  return {
    lines,
    refund: sumMoney(
      lines.map((l) => multiplyMoney(l.unitPrice, l.quantity)),
      order.currency,
    ),
  };
}

/** Units of each product the order still has to cancel (products of several lines added up). */
function leftToCancel(order: CancellableOrder, inFlight: ReadonlyMap<string, number>): Map<string, number> {
  const left = new Map<string, number>();
  for (const l of order.lines) {
    left.set(l.productId, (left.get(l.productId) ?? 0) + l.quantity - l.cancelledQuantity);
  }
  for (const [productId, units] of inFlight) left.set(productId, (left.get(productId) ?? 0) - units);
  for (const [productId, units] of left) if (units <= 0) left.delete(productId);
  return left;
}

/** The order's lines carrying `wanted`, each with the units taken from it, in the order's line order. */
function takeUnits(orderLines: readonly PlacedOrderLine[], wanted: readonly LineQuantity[]): OrderLine[] {
  const rest = new Map(wanted.map((w) => [w.productId, w.quantity]));
  return orderLines.flatMap((l) => {
    const take = Math.min(rest.get(l.productId) ?? 0, l.quantity - l.cancelledQuantity);
    if (take <= 0) return [];
    rest.set(l.productId, (rest.get(l.productId) ?? 0) - take);
    return [{ productId: l.productId, name: l.name, quantity: take, unitPrice: l.unitPrice }];
  });
}

/** The order after a completed cancellation: its lines' cancelled units, and CANCELLED once every unit is. */
export interface RecordedCancellation {
  lines: PlacedOrderLine[];
  statusChange?: PlannedChange;
}

/**
 * Records a completed cancellation's lines on the order. When that leaves no unit uncancelled the
 * order moves to CANCELLED (the `cancel` move), unless it already left CONFIRMED — shipping waits
 * for running cancellations, so only a hand-made change could get there, and the units stay recorded.
 */
export function recordCancellation(
  order: { id: string; status: OrderStatus; lines: PlacedOrderLine[] },
  cancelled: readonly OrderLine[],
  by: { actor: string; reason: string },
): RecordedCancellation {
  const rest = new Map<string, number>();
  for (const c of cancelled) rest.set(c.productId, (rest.get(c.productId) ?? 0) + c.quantity);
  const lines = order.lines.map((l) => {
    const take = Math.min(rest.get(l.productId) ?? 0, l.quantity - l.cancelledQuantity);
    rest.set(l.productId, (rest.get(l.productId) ?? 0) - take);
    return { ...l, cancelledQuantity: l.cancelledQuantity + take };
  });
  const everyUnit = lines.every((l) => l.cancelledQuantity === l.quantity);
  if (!everyUnit || order.status !== "CONFIRMED") return { lines };
  return { lines, statusChange: planMove(order, "cancel", { actor: by.actor, reason: by.reason }) };
}

const notCancellable = (order: CancellableOrder, message: string) =>
  failedPrecondition("ORDER_NOT_CANCELLABLE", message, {
    metadata: { order_id: order.id, order_status: order.status },
  });
