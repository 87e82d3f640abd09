/** Adapter contract suites (vitest), kept off the runtime entry point so services never load vitest. */
export { describeCartCacheContract } from "./cache/cart-cache.contract.js";
export { describeCartStoreContract } from "./store/cart-store.contract.js";
