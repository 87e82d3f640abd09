import { randomUUID } from "node:crypto";
import { DomainError } from "@checkout-saga/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CartClaim } from "../domain/cart.js";
import { claimLines, findClaim, releaseClaim, settleClaim } from "../domain/cart-claims.js";
import type { CartStore, StoredCart } from "./cart-store.js";

/** A store under test and how to dispose of it. */
export type CartStoreFactory = () => Promise<{ store: CartStore; cleanup: () => Promise<void> }>;

/**
 * The behaviour every CartStore adapter must show, as a vitest suite. Call it from a test file
 * with a factory that opens the adapter against a real server or file.
 */
export function describeCartStoreContract(name: string, makeStore: CartStoreFactory): void {
  describe(`CartStore contract: ${name}`, () => {
    let store: CartStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
    });
    afterEach(async () => {
      await cleanup();
    });

    it("loads nothing for a user without a cart", async () => {
      expect(await store.load(newUserId())).toBeUndefined();
    });

    it("creates a cart with expected version 0 and loads it back unchanged", async () => {
      const cart = buildStoredCart({
        version: 1,
        items: [
          { productId: "1", quantity: 2, addedAt: new Date("2026-01-02T03:04:05.678Z") },
          { productId: "2", quantity: 99, addedAt: new Date("2026-01-02T03:04:06.001Z") },
        ],
        appliedEventIds: ["evt-1", "evt-2"],
        claims: [claim("checkout-a", "held", [["1", 1]])],
      });
      expect(await store.save(cart, 0)).toBe(true);
      expect(await store.load(cart.userId)).toEqual(cart);
    });

    it("stores the cart's currency, and none for a cart that never chose one", async () => {
      const v1 = buildStoredCart({ version: 1, items: [line("1", 1)] });
      await store.save(v1, 0);
      expect((await store.load(v1.userId))?.currency).toBeUndefined();
      const v2 = { ...v1, version: 2, currency: "JPY" };
      expect(await store.save(v2, 1)).toBe(true);
      expect(await store.load(v1.userId)).toEqual(v2);
      const v3 = { ...v2, version: 3, items: [line("1", 2)] };
      expect(await store.save(v3, 2)).toBe(true);
      expect((await store.load(v1.userId))?.currency).toBe("JPY");
    });

    it("round-trips claims in every state through later versions", async () => {
      const v1 = buildStoredCart({ version: 1, items: [line("1", 3), line("2", 1)] });
      await store.save(v1, 0);
      const v2 = { ...v1, version: 2, claims: [claim("checkout-a", "held", [["1", 2]])] };
      expect(await store.save(v2, 1)).toBe(true);
      expect(await store.load(v1.userId)).toEqual(v2);
      const v3 = {
        ...v2,
        version: 3,
        items: [line("1", 1), line("2", 1)],
        claims: [
          claim("checkout-a", "settled", [["1", 2]]),
          claim("checkout-b", "held", [
            ["1", 1],
            ["2", 1],
          ]),
          claim("checkout-c", "released", []),
        ],
      };
      expect(await store.save(v3, 2)).toBe(true);
      const loaded = await store.load(v1.userId);
      expect(loaded).toEqual(v3);
      expect(loaded?.claims[0]?.at).toBeInstanceOf(Date);
    });

    it("keeps a settlement and its event id from one write, for the claim read, and refuses a release based on the held claim", async () => {
      const held = buildStoredCart({ items: [line("1", 2)], claims: [claim("checkout-a", "held", [["1", 1]])] });
      await store.save(held, 0);
      const settledAt = new Date("2026-02-01T13:00:00.007Z");
      const settled = settleClaim(held, "checkout-a", [], settledAt);
      if (!settled) throw new Error("the held claim did not settle");
      expect(await store.save({ ...held, ...settled, version: 2, appliedEventIds: ["event-1"] }, 1)).toBe(true);
      // The saga's undo, decided on the copy from before the settlement, must not win.
      const released = releaseClaim(held.claims, "checkout-a", settledAt);
      expect(await store.save({ ...held, claims: released ?? [], version: 2 }, 1)).toBe(false);

      const loaded = await store.load(held.userId);
      expect(loaded?.appliedEventIds).toEqual(["event-1"]);
      expect(loaded && findClaim(loaded.claims, "checkout-a")).toEqual({
        checkoutId: "checkout-a",
        lines: [{ productId: "1", quantity: 1 }],
        state: "settled",
        at: settledAt,
      });
      expect(loaded?.items).toEqual([line("1", 1)]);
    });

    it("lets exactly one of 10 checkouts racing for the cart's last unit claim it", async () => {
      const userId = newUserId();
      await store.save(buildStoredCart({ userId, version: 1, items: [line("1", 1)] }), 0);
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) => claimWithRetries(store, userId, `checkout-${i}`, [["1", 1]])),
      );
      const winners = outcomes.filter((o) => o === "held");
      expect(winners).toHaveLength(1);
      expect(outcomes.filter((o) => o === "CART_LINES_HELD")).toHaveLength(9);
      const cart = await store.load(userId);
      expect(cart?.claims.map((c) => [c.state, c.lines])).toEqual([["held", [{ productId: "1", quantity: 1 }]]]);
      expect(cart?.version).toBe(2);
    });

    it("creates only if absent: a second create loses and changes nothing", async () => {
      const first = buildStoredCart({ version: 1, items: [line("1", 1)] });
      const second = { ...first, items: [line("2", 5)] };
      expect(await store.save(first, 0)).toBe(true);
      expect(await store.save(second, 0)).toBe(false);
      expect(await store.load(first.userId)).toEqual(first);
    });

    it("updates when the expected version matches and refuses a stale one", async () => {
      const v1 = buildStoredCart({ version: 1, items: [line("1", 1)] });
      await store.save(v1, 0);
      const v2 = { ...v1, version: 2, items: [line("1", 3)], updatedAt: new Date(v1.updatedAt.getTime() + 1000) };
      expect(await store.save(v2, 1)).toBe(true);
      const staleV2 = { ...v1, version: 2, items: [] };
      expect(await store.save(staleV2, 1)).toBe(false);
      expect(await store.load(v1.userId)).toEqual(v2);
    });

    it("lets exactly one of two writes based on the same version win", async () => {
      const v1 = buildStoredCart({ version: 1, items: [line("1", 1)] });
      await store.save(v1, 0);
      const a = { ...v1, version: 2, items: [line("1", 2)] };
      const b = { ...v1, version: 2, items: [line("2", 7)] };
      const results = await Promise.all([store.save(a, 1), store.save(b, 1)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.load(v1.userId)).toEqual(results[0] ? a : b);
    });

    it("lets exactly one of many writes based on the same version win", async () => {
      const v1 = buildStoredCart({ version: 1, items: [line("1", 1)] });
      await store.save(v1, 0);
      const rivals = Array.from({ length: 10 }, (_, i) => ({ ...v1, version: 2, items: [line(`r${i}`, 1)] }));
      const results = await Promise.all(rivals.map((r) => store.save(r, 1)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.load(v1.userId)).toEqual(rivals[results.indexOf(true)]);
    });

    it("loses no update when several writers read-modify-write one cart at once", async () => {
      const userId = newUserId();
      const productIds = Array.from({ length: 8 }, (_, i) => `p${i}`);
      await Promise.all(productIds.map((productId) => addLineWithRetries(store, userId, productId)));
      const cart = await store.load(userId);
      expect(cart?.version).toBe(productIds.length);
      expect(cart?.items.map((l) => l.productId).sort()).toEqual(productIds);
    });

    it("lets exactly one of two racing creates win", async () => {
      const a = buildStoredCart({ version: 1, items: [line("1", 1)] });
      const b = { ...a, items: [line("2", 2)] };
      const results = await Promise.all([store.save(a, 0), store.save(b, 0)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.load(a.userId)).toEqual(results[0] ? a : b);
    });

    it("does not create a cart when a version above 0 is expected", async () => {
      const cart = buildStoredCart({ version: 4 });
      expect(await store.save(cart, 3)).toBe(false);
      expect(await store.load(cart.userId)).toBeUndefined();
    });

    it("refuses a version that does not follow the expected one", async () => {
      const cart = buildStoredCart({ version: 3 });
      await expect(store.save(cart, 0)).rejects.toThrow(RangeError);
      expect(await store.load(cart.userId)).toBeUndefined();
    });

    it("keeps each user's cart apart", async () => {
      const a = buildStoredCart({ version: 1, items: [line("1", 1)] });
      const b = buildStoredCart({ version: 1, items: [line("2", 2)] });
      await store.save(a, 0);
      await store.save(b, 0);
      expect(await store.load(a.userId)).toEqual(a);
      expect(await store.load(b.userId)).toEqual(b);
    });

    it("stores an emptied cart, keeping its version and applied event ids", async () => {
      const v1 = buildStoredCart({ version: 1, items: [line("1", 1)], appliedEventIds: ["evt-a"] });
      await store.save(v1, 0);
      const v2 = { ...v1, version: 2, items: [] };
      expect(await store.save(v2, 1)).toBe(true);
      expect(await store.load(v1.userId)).toEqual(v2);
    });

    it("deletes exactly the carts last written before the cutoff", async () => {
      const cutoff = new Date("2026-03-01T00:00:00.000Z");
      const idle = buildStoredCart({ version: 1, updatedAt: new Date(cutoff.getTime() - 1) });
      const atCutoff = buildStoredCart({ version: 1, updatedAt: cutoff });
      const fresh = buildStoredCart({ version: 1, updatedAt: new Date(cutoff.getTime() + 60_000) });
      for (const c of [idle, atCutoff, fresh]) await store.save(c, 0);

      // Other test runs may share the store, so count at least ours.
      expect(await store.deleteIdleBefore(cutoff)).toBeGreaterThanOrEqual(1);
      expect(await store.load(idle.userId)).toBeUndefined();
      expect(await store.load(atCutoff.userId)).toEqual(atCutoff);
      expect(await store.load(fresh.userId)).toEqual(fresh);
      expect(await store.deleteIdleBefore(new Date(0))).toBe(0);
    });

    it("lets a deleted cart be created again from version 0", async () => {
      const old = buildStoredCart({ version: 1, updatedAt: new Date("2020-01-01T00:00:00.000Z") });
      await store.save(old, 0);
      await store.deleteIdleBefore(new Date("2020-06-01T00:00:00.000Z"));
      const again = buildStoredCart({ userId: old.userId, version: 1, items: [line("3", 1)] });
      expect(await store.save(again, 0)).toBe(true);
      expect(await store.load(old.userId)).toEqual(again);
    });
  });
}

/** What the domain does on every write: load, change, compare-and-set, and again on a conflict. */
async function addLineWithRetries(store: CartStore, userId: string, productId: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const current = await store.load(userId);
    const version = current?.version ?? 0;
    const next = buildStoredCart({
      userId,
      version: version + 1,
      items: [...(current?.items ?? []), line(productId, 1)],
    });
    if (await store.save(next, version)) return;
  }
  throw new Error(`${productId} was never added: every write conflicted`);
}

/** What the domain does to claim: load, decide on that copy, compare-and-set, and again on a conflict. */
async function claimWithRetries(
  store: CartStore,
  userId: string,
  checkoutId: string,
  lines: Array<[string, number]>,
): Promise<string> {
  const wanted = lines.map(([productId, quantity]) => ({ productId, quantity }));
  for (let attempt = 0; attempt < 100; attempt++) {
    const current = await store.load(userId);
    if (!current) throw new Error("the cart is gone");
    let result: ReturnType<typeof claimLines>;
    try {
      result = claimLines(current, checkoutId, wanted, new Date());
    } catch (err) {
      if (err instanceof DomainError) return err.reason;
      throw err;
    }
    if (!result.changed) return result.claim.state;
    const next = { ...current, version: current.version + 1, claims: result.claims };
    if (await store.save(next, current.version)) return "held";
  }
  throw new Error(`${checkoutId} never got an answer: every write conflicted`);
}

function claim(checkoutId: string, state: CartClaim["state"], lines: Array<[string, number]>): CartClaim {
  return {
    checkoutId,
    lines: lines.map(([productId, quantity]) => ({ productId, quantity })),
    state,
    at: new Date("2026-02-01T11:00:00.042Z"),
  };
}

function newUserId(): string {
  return `user-${randomUUID()}`;
}

function line(productId: string, quantity: number) {
  return { productId, quantity, addedAt: new Date("2026-02-01T10:00:00.000Z") };
}

function buildStoredCart(overrides: Partial<StoredCart> = {}): StoredCart {
  return {
    userId: newUserId(),
    items: [],
    version: 1,
    updatedAt: new Date("2026-02-01T12:00:00.123Z"),
    appliedEventIds: [],
    claims: [],
    ...overrides,
  };
}
