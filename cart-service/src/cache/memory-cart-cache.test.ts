import { describe, expect, it } from "vitest";
import type { Cart } from "../domain/cart.js";
import { createMemoryCartCache } from "./memory-cart-cache.js";

const cart = (userId: string): Cart => ({ userId, currency: "USD", items: [], claims: [] });

function clock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("memory cart cache", () => {
  it("expires an entry after its TTL plus its drawn jitter", async () => {
    const c = clock();
    const cache = createMemoryCartCache({ ttlMs: 1000, jitterMs: 500, now: c.now, random: () => 0.5 });
    await cache.set("u1", cart("u1"), 1);
    c.advance(1249);
    expect(await cache.get("u1")).toEqual(cart("u1"));
    c.advance(1);
    expect(await cache.get("u1")).toBeUndefined();
  });

  it("draws the jitter per entry", async () => {
    const c = clock();
    const draws = [0, 0.99];
    const cache = createMemoryCartCache({ ttlMs: 1000, jitterMs: 1000, now: c.now, random: () => draws.shift() ?? 0 });
    await cache.set("early", cart("early"), 1);
    await cache.set("late", cart("late"), 1);
    c.advance(1500);
    expect(await cache.get("early")).toBeUndefined();
    expect(await cache.get("late")).toEqual(cart("late"));
  });

  it("keeps at most maxEntries, evicting the least recently used", async () => {
    const cache = createMemoryCartCache({ ttlMs: 60_000, maxEntries: 2 });
    await cache.set("a", cart("a"), 1);
    await cache.set("b", cart("b"), 1);
    await cache.get("a");
    await cache.set("c", cart("c"), 1);
    expect(await cache.get("b")).toBeUndefined();
    expect(await cache.get("a")).toEqual(cart("a"));
    expect(await cache.get("c")).toEqual(cart("c"));
  });

  it("forgets an invalidation marker when it expires, like an entry", async () => {
    const c = clock();
    const cache = createMemoryCartCache({ ttlMs: 1000, now: c.now });
    await cache.invalidate("u1", 5);
    await cache.set("u1", cart("u1"), 4);
    expect(await cache.get("u1")).toBeUndefined();
    c.advance(1000);
    await cache.set("u1", cart("u1"), 4);
    expect(await cache.get("u1")).toEqual(cart("u1"));
  });

  it("keeps nothing when the TTL is 0", async () => {
    const cache = createMemoryCartCache({ ttlMs: 0, jitterMs: 300_000 });
    await cache.set("u1", cart("u1"), 1);
    expect(await cache.get("u1")).toBeUndefined();
  });
});
