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

    it("returns what was set, dates and claims included", async () => {
      const cart = buildCart();
      await cache.set(cart.userId, cart, 3);
      const got = await cache.get(cart.userId);
      expect(got).toEqual(cart);
      expect(got?.claims[0]?.at).toBeInstanceOf(Date);
    });

    it("holds a cart without lines, claims or updatedAt", async () => {
      const cart: Cart = { userId: newUserId(), currency: "USD", items: [], claims: [] };
      await cache.set(cart.userId, cart, 0);
      expect(await cache.get(cart.userId)).toEqual(cart);
    });

    it("replaces an entry on a set of the same or a newer version", async () => {
      const first = buildCart();
      const second = { ...first, items: [line("9", 1)] };
      const third = { ...first, items: [line("8", 2)] };
      await cache.set(first.userId, first, 1);
      await cache.set(first.userId, second, 1);
      expect(await cache.get(first.userId)).toEqual(second);
      await cache.set(first.userId, third, 2);
      expect(await cache.get(first.userId)).toEqual(third);
    });

    it("ignores a set of an older version than it holds", async () => {
      const newer = buildCart();
      await cache.set(newer.userId, newer, 5);
      await cache.set(newer.userId, { ...newer, items: [] }, 4);
      expect(await cache.get(newer.userId)).toEqual(newer);
    });

    it("misses after an invalidation, and invalidating nothing is fine", async () => {
      const cart = buildCart();
      await cache.set(cart.userId, cart, 1);
      await cache.invalidate(cart.userId, 2);
      expect(await cache.get(cart.userId)).toBeUndefined();
      await expect(cache.invalidate(newUserId(), 1)).resolves.toBeUndefined();
    });

    it("after invalidating at a version, ignores sets of older versions and takes that version or newer", async () => {
      const stale = buildCart();
      const written = { ...stale, items: [line("5", 5)] };
      // A read of version 1 finishes after the write of version 2 was invalidated (maybe on another instance).
      await cache.invalidate(stale.userId, 2);
      await cache.set(stale.userId, stale, 1);
      expect(await cache.get(stale.userId)).toBeUndefined();
      await cache.set(stale.userId, written, 2);
      expect(await cache.get(stale.userId)).toEqual(written);
    });

    it("never lowers the known version: a late invalidation of an older write still ignores older sets", async () => {
      const cart = buildCart();
      await cache.invalidate(cart.userId, 4);
      await cache.invalidate(cart.userId, 3);
      await cache.set(cart.userId, cart, 3);
      expect(await cache.get(cart.userId)).toBeUndefined();
    });

    it("keeps each user's entry apart", async () => {
      const a = buildCart();
      const b = buildCart();
      await cache.set(a.userId, a, 1);
      await cache.set(b.userId, b, 1);
      await cache.invalidate(a.userId, 2);
      expect(await cache.get(a.userId)).toBeUndefined();
      expect(await cache.get(b.userId)).toEqual(b);
    });

    it("holds snapshots: changing objects outside the cache does not change it", async () => {
      const cart = buildCart();
      const expected = structuredClone(cart);
      await cache.set(cart.userId, cart, 1);
      cart.items.push(line("7", 1));
      const got = await cache.get(cart.userId);
      got?.items.pop();
      expect(await cache.get(cart.userId)).toEqual(expected);
    });
  });
}

function newUserId(): string {
  return `user-${randomUUID()}`;
}

function line(productId: string, quantity: number) {
  return { productId, quantity, addedAt: new Date("2026-05-05T05:05:05.005Z") };
}

function buildCart(): Cart {
  return {
    userId: newUserId(),
    currency: "JPY",
    items: [
      { productId: "1", quantity: 2, addedAt: new Date("2026-01-02T03:04:05.678Z") },
      { productId: "3", quantity: 1, addedAt: new Date("2026-01-02T03:05:00.000Z") },
    ],
    claims: [
      {
        checkoutId: "checkout-1",
        lines: [{ productId: "1", quantity: 1 }],
        state: "held",
        at: new Date("2026-01-02T03:06:00.250Z"),
      },
    ],
    updatedAt: new Date("2026-01-02T03:05:00.000Z"),
  };
}
