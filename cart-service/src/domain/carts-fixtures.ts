/** In-memory fakes and builders for the cart use-case tests. */
import { DomainError } from "@checkout-saga/shared";
import { testLogger } from "@checkout-saga/shared/testing";
import type { CartCache } from "../cache/cart-cache.js";
import type { CartStore, StoredCart } from "../store/cart-store.js";
import type { Cart } from "./cart.js";
import { type CartsDeps, createCarts } from "./carts.js";
import type { ProductCatalog } from "./product-catalog.js";

/** An in-memory CartStore with compare-and-set, load counting and hooks to stage races. */
export class FakeCartStore implements CartStore {
  readonly carts = new Map<string, StoredCart>();
  loads = 0;
  /** The next load reads the state at call time, then waits for this before answering. */
  nextLoadGate?: Promise<void>;
  /** Runs before each save, e.g. to slip in a competing write. */
  beforeSave?: () => void;

  async load(userId: string) {
    this.loads++;
    const snapshot = structuredClone(this.carts.get(userId));
    const gate = this.nextLoadGate;
    this.nextLoadGate = undefined;
    if (gate) await gate;
    return snapshot;
  }

  async save(cart: StoredCart, expectedVersion: number) {
    this.beforeSave?.();
    if ((this.carts.get(cart.userId)?.version ?? 0) !== expectedVersion) return false;
    this.carts.set(cart.userId, structuredClone(cart));
    return true;
  }

  async deleteIdleBefore(cutoff: Date) {
    let n = 0;
    for (const [id, c] of this.carts) if (c.updatedAt < cutoff && this.carts.delete(id)) n++;
    return n;
  }
}

/** A plain map that records the versions it is told about (it does not compare them). */
export class FakeCartCache implements CartCache {
  readonly entries = new Map<string, Cart>();
  readonly calls: string[] = [];
  async get(userId: string) {
    return structuredClone(this.entries.get(userId));
  }
  async set(userId: string, cart: Cart, version: number) {
    this.calls.push(`set ${userId}@${version}`);
    this.entries.set(userId, structuredClone(cart));
  }
  async invalidate(userId: string, version: number) {
    this.calls.push(`invalidate ${userId}@${version}`);
    this.entries.delete(userId);
  }
}

export const brokenCache: CartCache = {
  get: () => Promise.reject(new Error("cache down")),
  set: () => Promise.reject(new Error("cache down")),
  invalidate: () => Promise.reject(new Error("cache down")),
};

/** Products "1".."3" are sold in USD and JPY, "7" in USD only; "8" exists but is off sale. */
const catalog = (known: string[], usdOnly = ["7"], offSale = ["8"]): ProductCatalog => ({
  async check(ids, currency) {
    return {
      missing: ids.filter((id) => !known.includes(id) && !usdOnly.includes(id) && !offSale.includes(id)),
      unpriced: ids.filter((id) => usdOnly.includes(id) && currency !== "USD"),
      unsellable: ids.filter((id) => offSale.includes(id)),
    };
  },
});

export function setup(overrides: Partial<CartsDeps> = {}) {
  const store = new FakeCartStore();
  const cache = new FakeCartCache();
  let tick = Date.parse("2026-01-01T00:00:00.000Z");
  const deps: CartsDeps = {
    store,
    cache,
    products: catalog(["1", "2", "3"]),
    storeCurrency: "USD",
    now: () => {
      tick += 1000;
      return new Date(tick);
    },
    logger: testLogger(),
    ...overrides,
  };
  return { store, cache, carts: createCarts(deps), deps };
}

export async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DomainError) return `${err.kind}/${err.reason}`;
    throw err;
  }
  throw new Error("expected the call to fail");
}
