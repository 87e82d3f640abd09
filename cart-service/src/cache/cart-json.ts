import type { Cart } from "../domain/cart.js";

interface CartJson {
  userId: string;
  items: Array<{ productId: string; quantity: number; addedAt: string }>;
  updatedAt?: string;
}

/** A cart as JSON text, dates as ISO 8601 (millisecond precision, like the Date itself). */
export function cartToJson(cart: Cart): string {
  const json: CartJson = {
    userId: cart.userId,
    items: cart.items.map((l) => ({ productId: l.productId, quantity: l.quantity, addedAt: l.addedAt.toISOString() })),
    updatedAt: cart.updatedAt?.toISOString(),
  };
  return JSON.stringify(json);
}

export function cartFromJson(text: string): Cart {
  const json = JSON.parse(text) as CartJson;
  const cart: Cart = {
    userId: json.userId,
    items: json.items.map((l) => ({ productId: l.productId, quantity: l.quantity, addedAt: new Date(l.addedAt) })),
  };
  if (json.updatedAt !== undefined) cart.updatedAt = new Date(json.updatedAt);
  return cart;
}
