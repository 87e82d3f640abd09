import type { Cart, CartClaim } from "../domain/cart.js";

interface CartJson {
  userId: string;
  /** Absent in entries cached before carts had a currency: such an entry is treated as a miss. */
  currency?: string;
  items: Array<{ productId: string; quantity: number; addedAt: string }>;
  /** Absent in entries cached before claims existed. */
  claims?: Array<{
    checkoutId: string;
    lines: Array<{ productId: string; quantity: number }>;
    state: CartClaim["state"];
    at: string;
  }>;
  updatedAt?: string;
}

/** A cart as JSON text, dates as ISO 8601 (millisecond precision, like the Date itself). */
export function cartToJson(cart: Cart): string {
  const json: CartJson = {
    userId: cart.userId,
    currency: cart.currency,
    items: cart.items.map((l) => ({ productId: l.productId, quantity: l.quantity, addedAt: l.addedAt.toISOString() })),
    claims: cart.claims.map((c) => ({
      checkoutId: c.checkoutId,
      lines: c.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
      state: c.state,
      at: c.at.toISOString(),
    })),
    updatedAt: cart.updatedAt?.toISOString(),
  };
  return JSON.stringify(json);
}

/** The cached cart, or undefined for an entry from before carts had a currency (reloaded from the store). */
export function cartFromJson(text: string): Cart | undefined {
  const json = JSON.parse(text) as CartJson;
  if (json.currency === undefined) return undefined;
  const cart: Cart = {
    userId: json.userId,
    currency: json.currency,
    items: json.items.map((l) => ({ productId: l.productId, quantity: l.quantity, addedAt: new Date(l.addedAt) })),
    claims: (json.claims ?? []).map((c) => ({
      checkoutId: c.checkoutId,
      lines: c.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
      state: c.state,
      at: new Date(c.at),
    })),
  };
  if (json.updatedAt !== undefined) cart.updatedAt = new Date(json.updatedAt);
  return cart;
}
