import { type Amount, invalidArgument, money, type ShippingAddress } from "@checkout-saga/shared";

export type OrderStatus = "CONFIRMED" | "SHIPPED" | "DELIVERED" | "CANCELLED";

/** The same address model as the checkout's (shared): an order ships where the customer asked. */
export type { ShippingAddress };

/** One line as it was bought: name and price are a snapshot, the catalog may change later. */
export interface OrderLine {
  productId: string;
  name: string;
  quantity: number;
  unitPrice: Amount;
}

/** A customer's order, created once per completed checkout. */
export interface Order {
  id: string;
  checkoutId: string;
  userId: string;
  status: OrderStatus;
  /** What the customer was charged. */
  total: Amount;
  lines: OrderLine[];
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
export function draftOrder(input: OrderDraft): OrderDraft {
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
  return { ...input, total, lines };
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
