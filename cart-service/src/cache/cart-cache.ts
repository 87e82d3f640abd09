import type { Cart } from "../domain/cart.js";

/**
 * A look-aside cache of carts as callers see them, shared by every instance of the service.
 * Entries carry the store version they were read at, so a read that a write overtook (on this
 * instance or another) cannot put the older cart back: `set` keeps nothing older than what the
 * cache already knows, and `invalidate` leaves a marker of the written version behind.
 * Entries and markers expire on their own. Values are snapshots: changing an object after
 * `set`, or one returned by `get`, never changes what the cache holds.
 */
export interface CartCache {
  get(userId: string): Promise<Cart | undefined>;
  /** Keeps `cart`, read from the store at `version` (0: the user has none), unless the cache knows a newer version. */
  set(userId: string, cart: Cart, version: number): Promise<void>;
  /** Drops the user's entry after a write of `version`; from then on sets of older versions are ignored. */
  invalidate(userId: string, version: number): Promise<void>;
}
