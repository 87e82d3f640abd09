import { Counter, METRIC_PREFIX, type Registry } from "@checkout-saga/shared";
import type { CartCache } from "./cart-cache.js";

/**
 * A cart cache that counts its lookups by result: `hit`, `miss`, or `error` (the cache did not
 * answer; the cart came from the store). Hit ratio = hits / (hits + misses + errors).
 */
export function countedCartCache<C extends CartCache>(cache: C, registry: Registry): C {
  const lookups = new Counter({
    name: `${METRIC_PREFIX}cart_cache_lookups_total`,
    help: "Cart cache lookups by result: hit, miss, or error (the cache did not answer).",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  return {
    ...cache,
    async get(userId) {
      try {
        const cart = await cache.get(userId);
        lookups.inc({ result: cart === undefined ? "miss" : "hit" });
        return cart;
      } catch (err) {
        lookups.inc({ result: "error" });
        throw err;
      }
    },
  };
}
