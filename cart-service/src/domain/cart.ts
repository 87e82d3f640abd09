import { failedPrecondition, notFound } from "@checkout-saga/shared";

/** At most this many distinct products in one cart. */
export const CART_LINE_LIMIT = 50;
/**
 * A line holds at most this many units. A request asks for 1..99 at a time (its field rule);
 * what a line adds up to is this rule's business.
 */
export const MAX_LINE_QUANTITY = 99;

export interface CartLine {
  productId: string;
  quantity: number;
  /** When the product first entered the cart; adding more keeps it. */
  addedAt: Date;
}

/**
 * A user's cart as callers see it. A user who never wrote one has no lines, no claims and no
 * `updatedAt`. `claims` lists the held claims only: what running checkouts are buying.
 */
export interface Cart {
  userId: string;
  /** ISO 4217: every line is priced in it (the store's currency until the user changes it). */
  currency: string;
  items: CartLine[];
  claims: CartClaim[];
  updatedAt?: Date;
}

/**
 * `held`: the checkout may buy these quantities and no other checkout may. `released`: the
 * checkout was undone (or a release came before any claim); a claim arriving later is refused.
 * `settled`: the checkout completed and its lines were taken out of the cart.
 */
export type ClaimState = "held" | "released" | "settled";

export interface ClaimedLine {
  productId: string;
  quantity: number;
}

/**
 * What one checkout took from the cart. Stored inside the cart, so claiming, releasing and
 * settling go through the same compare-and-set write as every other change to it.
 */
export interface CartClaim {
  checkoutId: string;
  lines: ClaimedLine[];
  state: ClaimState;
  /** When the claim last changed state; tombstones are pruned by it. */
  at: Date;
}

/** One line of a completed checkout: what left the cart. */
export interface CheckedOutLine {
  productId: string;
  quantity: number;
}

/** Adds `quantity` to the product's line, creating it at the end if the cart has none. */
export function addToLines(lines: CartLine[], productId: string, quantity: number, now: Date): CartLine[] {
  const existing = lines.find((l) => l.productId === productId);
  if (!existing) {
    if (lines.length >= CART_LINE_LIMIT) {
      throw failedPrecondition("CART_LINE_LIMIT", `a cart holds at most ${CART_LINE_LIMIT} distinct products`, {
        metadata: { product_id: productId, limit: String(CART_LINE_LIMIT) },
      });
    }
    return [...lines, { productId, quantity, addedAt: now }];
  }
  const total = existing.quantity + quantity;
  // Adding past the limit is refused rather than clamped: the caller asked for something else.
  // A conflict with what the line holds now, not a malformed request: the same request is
  // fine against a line that holds less.
  if (total > MAX_LINE_QUANTITY) {
    throw failedPrecondition(
      "CART_LINE_QUANTITY_LIMIT",
      `the line would hold ${total}; at most ${MAX_LINE_QUANTITY} per product (it holds ${existing.quantity})`,
      { metadata: { product_id: productId, max: String(MAX_LINE_QUANTITY), holds: String(existing.quantity) } },
    );
  }
  return lines.map((l) => (l === existing ? { ...l, quantity: total } : l));
}

/** Sets an existing line's quantity; 0 is refused (removing is its own operation). */
export function setLineQuantity(lines: CartLine[], productId: string, quantity: number): CartLine[] {
  requireLine(lines, productId);
  return lines.map((l) => (l.productId === productId ? { ...l, quantity } : l));
}

export function removeLine(lines: CartLine[], productId: string): CartLine[] {
  requireLine(lines, productId);
  return lines.filter((l) => l.productId !== productId);
}

/**
 * What remains after a checkout: each checked-out quantity is taken off its line, and lines
 * that reach zero go. Whatever the user added after the checkout began (other products, or
 * more of the same one) is more than was checked out, so it stays.
 */
export function subtractCheckedOut(lines: CartLine[], checkedOut: CheckedOutLine[]): CartLine[] {
  const taken = new Map<string, number>();
  for (const c of checkedOut) taken.set(c.productId, (taken.get(c.productId) ?? 0) + c.quantity);
  return lines.flatMap((l) => {
    const quantity = l.quantity - (taken.get(l.productId) ?? 0);
    return quantity > 0 ? [{ ...l, quantity }] : [];
  });
}

function requireLine(lines: CartLine[], productId: string): void {
  if (!lines.some((l) => l.productId === productId)) {
    throw notFound("CART_LINE_NOT_FOUND", `the cart has no line for product ${productId}`, {
      metadata: { product_id: productId },
    });
  }
}
