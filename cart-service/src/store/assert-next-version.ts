import type { StoredCart } from "./cart-store.js";

/** The precondition every CartStore adapter checks before writing: versions move up by one. */
export function assertNextVersion(cart: StoredCart, expectedVersion: number): void {
  if (!Number.isInteger(expectedVersion) || expectedVersion < 0 || cart.version !== expectedVersion + 1) {
    throw new RangeError(`cart version must be expectedVersion + 1 (${expectedVersion + 1}), got ${cart.version}`);
  }
}
