import { createHash } from "node:crypto";
import { type Amount, failedPrecondition, money, type Totals } from "@checkout-saga/shared";
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

/** The lines a cancellation takes back (bought prices), the money it refunds and the redeemed points it returns for them. */
export interface CancellationPlan {
  lines: OrderLine[];
  refund: Amount;
  pointsReturned: number;
}

/** The order as a new cancellation is checked against it, read under the order's row lock. */
export interface CancellableOrder {
  id: string;
  status: OrderStatus;
  currency: string;
  lines: PlacedOrderLine[];
  /** How it was paid: `subtotal` = `total` charged + points redeemed. */
  totals: Pick<Totals, "subtotal" | "total">;
}

/** A cancellation of the order decided before this one and not FAILED: it takes (or took) its lines back. */
export interface EarlierCancellation {
  lines: readonly OrderLine[];
  /** Minor units of money it refunds. */
  refund: number;
  /** Not yet COMPLETED: its units are not on the order's lines yet. */
  running: boolean;
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
function unitsInFlight(earlier: readonly EarlierCancellation[]): Map<string, number> {
  const units = new Map<string, number>();
  for (const c of earlier) {
    if (!c.running) continue;
    for (const l of c.lines) units.set(l.productId, (units.get(l.productId) ?? 0) + l.quantity);
  }
  return units;
}

/** Minor units of the lines' bought price. */
const boughtValue = (lines: readonly OrderLine[]): number =>
  lines.reduce((sum, l) => sum + l.unitPrice.amountMinor * l.quantity, 0);

/** How a cancellation's lines' value is given back: money refunded, redeemed points returned. */
export interface RefundSplit {
  refund: number;
  points: number;
}

/**
 * Splits the value of the lines a cancellation takes back between money and points, pro rata to
 * how the order was paid (subtotal S = charged T + points P). It is cumulative, so rounding never
 * drifts: with Vc the value cancelled once this one is done and Vp before it, the money is
 * floor(T·Vc/S) − floor(T·Vp/S), the rest of the lines' value is points. The money before is
 * what earlier cancellations do refund (floor(T·Vp/S) unless one of them failed meanwhile), so
 * the whole order cancelled refunds exactly T and returns exactly P.
 */
export function splitRefund(
  totals: { subtotal: number; charged: number },
  before: { value: number; refunded: number },
  value: number,
): RefundSplit {
  // No points: the money is the lines' value, as it always was (and a free order divides by nothing).
  if (totals.charged === totals.subtotal) return { refund: value, points: 0 };
  // BigInt: T·Vc can pass 2^53 for large yen orders.
  const chargedUpTo = Number((BigInt(totals.charged) * BigInt(before.value + value)) / BigInt(totals.subtotal));
  const refund = Math.min(Math.max(chargedUpTo - before.refunded, 0), value);
  return { refund, points: value - refund };
}

/**
 * Decides a new cancellation of `order`: only while it is CONFIRMED, and never more units of a
 * product than it has left — bought, minus cancelled, minus what running cancellations take —
 * so cancellations checked one after another under the order's lock can never over-cancel.
 * Without request lines it takes everything left. Those lines' bought price is given back as
 * money and points, in the share the order was paid with (splitRefund), counting every earlier
 * cancellation that has not failed.
 */
export function planCancellation(
  order: CancellableOrder,
  earlier: readonly EarlierCancellation[],
  request: CancellationRequest,
): CancellationPlan {
  if (order.status !== "CONFIRMED") {
    throw notCancellable(order, `order ${order.id} is ${order.status}: only a CONFIRMED order can be cancelled`);
  }
  const left = leftToCancel(order, unitsInFlight(earlier));
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
  const split = splitRefund(
    { subtotal: order.totals.subtotal.amountMinor, charged: order.totals.total.amountMinor },
    {
      value: earlier.reduce((sum, c) => sum + boughtValue(c.lines), 0),
      refunded: earlier.reduce((sum, c) => sum + c.refund, 0),
    },
    boughtValue(lines),
  );
  return { lines, refund: money(order.currency, split.refund), pointsReturned: split.points };
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
