import type { CartLine } from "./pricing.js";

/**
 * What a new checkout may buy from a cart: each line less the quantities other checkouts hold
 * (running ones, and completed ones whose lines the cart consumer has not removed yet). Lines
 * with nothing left drop out; `heldBy` names the checkouts holding anything.
 */
export function buyableLines(
  lines: CartLine[],
  held: Array<{ checkoutId: string; lines: CartLine[] }>,
): { lines: CartLine[]; heldBy: string[] } {
  const taken = new Map<string, number>();
  for (const claim of held) {
    for (const l of claim.lines) taken.set(l.productId, (taken.get(l.productId) ?? 0) + l.quantity);
  }
  const buyable = lines
    .map((l) => ({ productId: l.productId, quantity: l.quantity - (taken.get(l.productId) ?? 0) }))
    .filter((l) => l.quantity > 0);
  return { lines: buyable, heldBy: held.map((c) => c.checkoutId) };
}
