import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Cart } from "../domain/cart.js";
import type { CartCache } from "./cart-cache.js";

/** A cache under test (with a TTL long enough to outlast a test) and how to dispose of it. */
export type CartCacheFactory = () => Promise<{ cache: CartCache; cleanup: () => Promise<void> }>;

/** The behaviour every CartCache adapter must show, as a vitest suite. */
export function describeCartCacheContract(name: string, makeCache: CartCacheFactory): void {
  describe(`CartCache contract: ${name}`, () => {
    let cache: CartCache;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ cache, cleanup } = await makeCache());
    });
    afterEach(async () => {
      await cleanup();
    });

    it("misses for a user it holds nothing for", async () => {
      expect(await cache.get(newUserId())).toBeUndefined();
    });

    it("returns what was set, dates included", async () => {
      const cart = buildCart();
      await cache.set(cart.userId, cart);
      expect(await cache.get(cart.userId)).toEqual(cart);
    });

    it("holds a cart without lines or updatedAt", async () => {
      const cart: Cart = { userId: newUserId(), items: [] };
      await cache.set(cart.userId, cart);
      expect(await cache.get(cart.userId)).toEqual(cart);
    });

    it("replaces an entry on set", async () => {
      const first = buildCart();
      const second = {
        ...first,
        items: [{ productId: "9", quantity: 1, addedAt: new Date("2026-05-05T05:05:05.005Z") }],
      };
      await cache.set(first.userId, first);
      await cache.set(first.userId, second);
      expect(await cache.get(first.userId)).toEqual(second);
    });

    it("misses after delete, and deleting nothing is fine", async () => {
      const cart = buildCart();
      await cache.set(cart.userId, cart);
      await cache.delete(cart.userId);
      expect(await cache.get(cart.userId)).toBeUndefined();
      await expect(cache.delete(newUserId())).resolves.toBeUndefined();
    });

    it("keeps each user's entry apart", async () => {
      const a = buildCart();
      const b = buildCart();
      await cache.set(a.userId, a);
      await cache.set(b.userId, b);
      await cache.delete(a.userId);
      expect(await cache.get(a.userId)).toBeUndefined();
      expect(await cache.get(b.userId)).toEqual(b);
    });

    it("holds snapshots: changing objects outside the cache does not change it", async () => {
      const cart = buildCart();
      const expected = structuredClone(cart);
      await cache.set(cart.userId, cart);
      cart.items.push({ productId: "7", quantity: 1, addedAt: new Date() });
      const got = await cache.get(cart.userId);
      got?.items.pop();
      expect(await cache.get(cart.userId)).toEqual(expected);
    });
  });
}

function newUserId(): string {
  return `user-${randomUUID()}`;
}

function buildCart(): Cart {
  return {
    userId: newUserId(),
    items: [
      { productId: "1", quantity: 2, addedAt: new Date("2026-01-02T03:04:05.678Z") },
      { productId: "3", quantity: 1, addedAt: new Date("2026-01-02T03:05:00.000Z") },
    ],
    updatedAt: new Date("2026-01-02T03:05:00.000Z"),
  };
}
