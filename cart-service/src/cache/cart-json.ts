import type { Cart, CartClaim } from "../domain/cart.js";

interface CartJson {
  userId: string;
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

export function cartFromJson(text: string): Cart {
  const json = JSON.parse(text) as CartJson;
  const cart: Cart = {
    userId: json.userId,
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
