import type { Cart } from "../domain/cart.js";

/**
 * A look-aside cache of carts as callers see them. Entries expire on their own; the domain
 * deletes a user's entry after every write. Values are snapshots: changing an object after
 * `set`, or one returned by `get`, never changes what the cache holds.
 */
export interface CartCache {
  get(userId: string): Promise<Cart | undefined>;
  set(userId: string, cart: Cart): Promise<void>;
  delete(userId: string): Promise<void>;
}
