import type { CartClaim, CartLine } from "../domain/cart.js";

/**
 * A cart as persisted: the lines, the checkouts' claims on them, and what optimistic
 * concurrency and consumer idempotency need.
 */
export interface StoredCart {
  userId: string;
  /** ISO 4217; undefined for a cart that never chose one (written before carts had a currency): the store's. */
  currency?: string;
  items: CartLine[];
  /** Every claim the cart remembers, held ones and the tombstones of released and settled ones. */
  claims: CartClaim[];
  /** Bumped by one on every write; the compare-and-set token. The first write stores 1. */
  version: number;
  updatedAt: Date;
  /** The most recent event ids (the domain keeps 50) applied to this cart, oldest first. */
  appliedEventIds: string[];
}

/**
 * Where carts live. Every write is a compare-and-set of one whole cart, so adapters need no
 * multi-row transactions: a SQL `update ... where version = ?`, or an insert guarded by a
 * unique key. (Not a MongoDB `replaceOne({ _id, version })`: FerretDB 1.x does not apply
 * that atomically; see mongo-cart-store.ts.)
 */
export interface CartStore {
  load(userId: string): Promise<StoredCart | undefined>;
  /**
   * Writes `cart` if the stored version still equals `expectedVersion` (0: only if the user has
   * no cart yet). Resolves false, changing nothing, when another write got there first.
   * `cart.version` must be `expectedVersion + 1`. Resolves once the write is durable.
   */
  save(cart: StoredCart, expectedVersion: number): Promise<boolean>;
  /** Deletes carts last written before `cutoff`; resolves to how many went. */
  deleteIdleBefore(cutoff: Date): Promise<number>;
}
