import { describeCartCacheContract } from "../src/cache/cart-cache.contract.js";
import { createMemoryCartCache } from "../src/cache/memory-cart-cache.js";

describeCartCacheContract("memory", async () => ({
  cache: createMemoryCartCache({ ttlMs: 60_000, jitterMs: 1_000 }),
  cleanup: async () => {},
}));
