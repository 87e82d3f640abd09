import { type Amount, invalidArgument, money, type ShippingAddress, type Totals } from "@checkout-saga/shared";

export type OrderStatus = "CONFIRMED" | "SHIPPED" | "DELIVERED" | "CANCELLED";

/** One change of status, as the history keeps it; `from` is undefined for the order's first, CONFIRMED. */
export interface StatusChange {
  from?: OrderStatus;
  to: OrderStatus;
  reason: string;
  /** Who made it: `user:<id>` for a person (an admin), `service:<name>` for a service. */
  actor: string;
  at: Date;
}

/** The same address model as the checkout's (shared): an order ships where the customer asked. */
export type { ShippingAddress };

/** One line as it was bought: name and price are a snapshot, the catalog may change later. */
export interface OrderLine {
  productId: string;
  name: string;
  quantity: number;
  unitPrice: Amount;
}

/** A line as the order shows it: how many of its units cancellations took back (0..quantity). */
export interface PlacedOrderLine extends OrderLine {
  cancelledQuantity: number;
}

/** Some or all lines taken back, refunded (in money and points) and restocked by the cancellation saga. */
export interface OrderCancellation {
  cancellationId: string;
  status: string;
  refund: Amount;
  /** Redeemed points it gives back with the refund; 0 for an order paid without points. */
  pointsReturned: number;
  lines: OrderLine[];
  createdAt: Date;
}

/** A customer's order, created once per completed checkout. */
export interface Order {
  id: string;
  checkoutId: string;
  userId: string;
  status: OrderStatus;
  /** What the customer was charged. */
  total: Amount;
  /** As the checkout computed them: subtotal, points, total charged, tax contained per rate. */
  totals: Totals;
  lines: PlacedOrderLine[];
  /** Every status it went through, oldest first: the first is CONFIRMED, from its checkout. */
  statusHistory: StatusChange[];
  /** Oldest first. */
  cancellations: OrderCancellation[];
  shippingAddress: ShippingAddress;
  paymentId: string;
  createdAt: Date;
  updatedAt: Date;
}

/** An order about to be placed from a completed checkout: no id yet, always CONFIRMED. */
export interface OrderDraft {
  checkoutId: string;
  userId: string;
  total: Amount;
  /** Absent in events from checkouts before totals existed: then the total alone, no tax breakdown. */
  totals?: Totals;
  lines: OrderLine[];
  shippingAddress: ShippingAddress;
  paymentId: string;
  /** When the checkout completed, if the event said. */
  checkoutCompletedAt?: Date;
  /** The event the order came from, for tracing. */
  sourceEventId: string;
}

/**
 * Checks what a completed checkout hands over before it becomes an order: ids present, at
 * least one line, positive quantities, integer non-negative amounts in one currency.
 */
export function draftOrder(input: OrderDraft): OrderDraft & { totals: Totals } {
  if (input.checkoutId === "") throw invalidOrder("checkout_id is missing");
  if (input.userId === "") throw invalidOrder("user_id is missing");
  if (input.lines.length === 0) throw invalidOrder("an order needs at least one line");
  const total = checkedAmount(input.total, "total");
  const lines = input.lines.map((line, i) => {
    if (line.productId === "") throw invalidOrder(`line ${i + 1}: product_id is missing`);
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) {
      throw invalidOrder(`line ${i + 1}: quantity must be a positive integer, got ${line.quantity}`);
    }
    const unitPrice = checkedAmount(line.unitPrice, `line ${i + 1} unit_price`);
    if (unitPrice.currency !== total.currency) {
      throw invalidOrder(`line ${i + 1}: unit_price is in ${unitPrice.currency}, the total in ${total.currency}`);
    }
    return { ...line, unitPrice };
  });
  const totals = input.totals ?? totalsOfTotal(total);
  if (totals.total.currency !== total.currency || totals.total.amountMinor !== total.amountMinor) {
    throw invalidOrder(`totals.total ${JSON.stringify(totals.total)} is not the total ${JSON.stringify(total)}`);
  }
  return { ...input, total, totals, lines };
}

/** The totals of an order placed before checkouts computed them: its total, no points, no tax breakdown. */
export function totalsOfTotal(total: Amount): Totals {
  return { subtotal: total, pointsRedeemed: money(total.currency, 0), total, tax: null };
}

function checkedAmount(a: Amount, what: string): Amount {
  let checked: Amount;
  try {
    checked = money(a.currency, a.amountMinor);
  } catch (err) {
    throw invalidOrder(`${what}: ${(err as Error).message}`);
  }
  if (checked.amountMinor < 0) throw invalidOrder(`${what} must not be negative, got ${checked.amountMinor}`);
  return checked;
}

const invalidOrder = (message: string) => invalidArgument("INVALID_ORDER", message);
