import { testLogger } from "@checkout-saga/shared/testing";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import type { Cart } from "./cart.js";
import { APPLIED_EVENT_IDS_KEPT } from "./carts.js";
import { brokenCache, failure, setup } from "./carts-fixtures.js";

const quantities = (cart: Cart) => cart.items.map((l) => [l.productId, l.quantity]);

describe("cart use cases", () => {
  it("gives a user without a cart an empty one", async () => {
    const { carts } = setup();
    expect(await carts.getCart("u1")).toEqual({ userId: "u1", currency: "USD", items: [], claims: [] });
  });

  it("adds, updates, removes and clears lines", async () => {
    const { carts, store } = setup();
    await carts.addItem("u1", "1", 2);
    await carts.addItem("u1", "2", 1);
    expect(quantities(await carts.addItem("u1", "1", 3))).toEqual([
      ["1", 5],
      ["2", 1],
    ]);
    expect(quantities(await carts.updateQuantity("u1", "2", 7))).toEqual([
      ["1", 5],
      ["2", 7],
    ]);
    expect(quantities(await carts.removeItem("u1", "1"))).toEqual([["2", 7]]);
    const cleared = await carts.clearCart("u1");
    expect(cleared.items).toEqual([]);
    expect(store.carts.get("u1")?.version).toBe(6);
  });

  it("refuses a product the catalog does not know, writing nothing", async () => {
    const { carts, store } = setup();
    expect(await failure(carts.addItem("u1", "404", 1))).toBe("not_found/PRODUCT_NOT_FOUND");
    expect(store.carts.size).toBe(0);
  });

  it("switches a cart's currency when every line is sold in it, and stores it", async () => {
    const { carts, store } = setup();
    await carts.addItem("u1", "1", 1);
    const cart = await carts.setCurrency("u1", "JPY");
    expect(cart.currency).toBe("JPY");
    expect(store.carts.get("u1")?.currency).toBe("JPY");
    expect((await carts.getCart("u1")).currency).toBe("JPY");
    const version = store.carts.get("u1")?.version;
    await carts.setCurrency("u1", "JPY");
    expect(store.carts.get("u1")?.version).toBe(version);
  });

  it("refuses to add a product an admin took off sale, and writes nothing", async () => {
    const { carts, store } = setup();
    expect(await failure(carts.addItem("u1", "8", 1))).toBe("failed_precondition/PRODUCT_NOT_SELLABLE");
    expect(store.carts.get("u1")).toBeUndefined();
  });

  it("refuses a currency a line's product is not sold in, and such a product in a cart of that currency", async () => {
    const { carts, store } = setup();
    await carts.addItem("u1", "7", 1);
    expect(await failure(carts.setCurrency("u1", "JPY"))).toBe("failed_precondition/PRODUCT_NOT_PRICED");
    expect(store.carts.get("u1")?.currency).toBeUndefined();
    await carts.setCurrency("u2", "JPY");
    expect(await failure(carts.addItem("u2", "7", 1))).toBe("failed_precondition/PRODUCT_NOT_PRICED");
    expect(await failure(carts.setCurrency("u2", "ABC"))).toBe("invalid_argument/UNKNOWN_CURRENCY");
    expect(quantities(await carts.getCart("u2"))).toEqual([]);
  });

  it("refuses lines the cart does not have", async () => {
    const { carts } = setup();
    await carts.addItem("u1", "1", 1);
    expect(await failure(carts.updateQuantity("u1", "2", 1))).toBe("not_found/CART_LINE_NOT_FOUND");
    expect(await failure(carts.removeItem("u1", "2"))).toBe("not_found/CART_LINE_NOT_FOUND");
    expect(await failure(carts.removeItem("nobody", "1"))).toBe("not_found/CART_LINE_NOT_FOUND");
  });

  it("clearing a cart that is already empty writes nothing", async () => {
    const { carts, store } = setup();
    expect(await carts.clearCart("u1")).toEqual({ userId: "u1", currency: "USD", items: [], claims: [] });
    expect(store.carts.size).toBe(0);
  });
});

describe("compare-and-set writes", () => {
  it("retries on a conflict and keeps both writers' changes", async () => {
    const { carts, store } = setup();
    await carts.addItem("u1", "1", 1);
    store.beforeSave = () => {
      store.beforeSave = undefined;
      // Another instance writes between this writer's load and its save.
      const current = store.carts.get("u1")!;
      const added = { productId: "2", quantity: 4, addedAt: new Date() };
      store.carts.set("u1", { ...current, version: current.version + 1, items: [...current.items, added] });
    };
    const loadsBefore = store.loads;
    expect(quantities(await carts.addItem("u1", "1", 1))).toEqual([
      ["1", 2],
      ["2", 4],
    ]);
    // The load that learns the cart's currency serves the first write attempt; the retry reloads.
    expect(store.loads - loadsBefore).toBe(2);
    expect(store.carts.get("u1")?.version).toBe(3);
  });

  it("gives up with ABORTED when every attempt conflicts", async () => {
    const { carts, store } = setup({ maxAttempts: 3 });
    await carts.addItem("u1", "1", 1);
    store.beforeSave = () => {
      const current = store.carts.get("u1");
      if (current) store.carts.set("u1", { ...current, version: current.version + 1 });
    };
    expect(await failure(carts.addItem("u1", "1", 1))).toBe("aborted/CART_CONFLICT");
  });
});

describe("store reads per write", () => {
  it("adds a line with one load: the currency check's load serves the write", async () => {
    const { carts, store } = setup();
    await carts.addItem("u1", "1", 1);
    const loadsBefore = store.loads;
    await carts.addItem("u1", "2", 1);
    expect(store.loads - loadsBefore).toBe(1);
  });
});

describe("cache-aside reads", () => {
  it("serves repeated reads from the cache and drops the entry on every write", async () => {
    const { carts, store, cache } = setup();
    await carts.addItem("u1", "1", 1);
    const loadsBefore = store.loads;
    await carts.getCart("u1");
    await carts.getCart("u1");
    expect(store.loads - loadsBefore).toBe(1);
    expect(cache.entries.has("u1")).toBe(true);

    await carts.updateQuantity("u1", "1", 3);
    expect(cache.entries.has("u1")).toBe(false);
    expect(quantities(await carts.getCart("u1"))).toEqual([["1", 3]]);
  });

  it("tells the cache the store version of every fill and every write", async () => {
    const { carts, cache } = setup();
    await carts.getCart("u1");
    await carts.addItem("u1", "1", 1);
    await carts.getCart("u1");
    await carts.addItem("u1", "2", 1);
    expect(cache.calls).toEqual(["set u1@0", "invalidate u1@1", "set u1@1", "invalidate u1@2"]);
  });

  it("collapses concurrent misses for one user into one store load", async () => {
    const { carts, store } = setup();
    await carts.addItem("u1", "1", 1);
    let release = () => {};
    store.nextLoadGate = new Promise<void>((r) => {
      release = r;
    });
    const loadsBefore = store.loads;
    const reads = [carts.getCart("u1"), carts.getCart("u1"), carts.getCart("u1")];
    await vi.waitFor(() => expect(store.loads).toBeGreaterThan(loadsBefore));
    release();
    const results = await Promise.all(reads);
    expect(store.loads - loadsBefore).toBe(1);
    for (const r of results) expect(quantities(r)).toEqual([["1", 1]]);
  });

  it("never caches a load that a write overtook, and reads after the write see it", async () => {
    const { carts, store, cache } = setup();
    await carts.addItem("u1", "1", 1);
    let release = () => {};
    store.nextLoadGate = new Promise<void>((r) => {
      release = r;
    });
    onTestFinished(() => release());
    const staleRead = carts.getCart("u1");
    await vi.waitFor(() => expect(store.nextLoadGate).toBeUndefined());

    await carts.updateQuantity("u1", "1", 5);
    expect(quantities(await carts.getCart("u1"))).toEqual([["1", 5]]);
    release();
    expect(quantities(await staleRead)).toEqual([["1", 1]]);
    expect(cache.entries.get("u1")?.items[0]?.quantity ?? 5).toBe(5);
    expect(quantities(await carts.getCart("u1"))).toEqual([["1", 5]]);
  });

  it("bypasses a failing cache, logging it, without failing requests", async () => {
    const logger = testLogger();
    const warn = vi.spyOn(logger, "warn");
    const { carts } = setup({ cache: brokenCache, logger });
    await carts.addItem("u1", "1", 2);
    expect(quantities(await carts.getCart("u1"))).toEqual([["1", 2]]);
    expect(warn).toHaveBeenCalled();
  });
});

describe("applyCheckoutCompleted", () => {
  const event = (eventId: string, lines: Array<[string, number]>) => ({
    eventId,
    userId: "u1",
    checkoutId: `checkout-of-${eventId}`,
    lines: lines.map(([productId, quantity]) => ({ productId, quantity })),
  });

  it("takes only the checked-out quantities out, keeping what was added since", async () => {
    const { carts } = setup();
    await carts.addItem("u1", "1", 2);
    await carts.addItem("u1", "2", 1);
    // Checkout of {1: 2, 2: 1} begins; meanwhile the user adds more.
    await carts.addItem("u1", "1", 1);
    await carts.addItem("u1", "3", 1);

    expect(
      await carts.applyCheckoutCompleted(
        event("e1", [
          ["1", 2],
          ["2", 1],
        ]),
      ),
    ).toBe("applied");
    expect(quantities(await carts.getCart("u1"))).toEqual([
      ["1", 1],
      ["3", 1],
    ]);
  });

  it("applies each event once, remembering its id in the same write", async () => {
    const { carts, store } = setup();
    await carts.addItem("u1", "1", 3);
    await carts.applyCheckoutCompleted(event("e1", [["1", 1]]));
    const afterFirst = store.carts.get("u1");
    expect(afterFirst?.appliedEventIds).toEqual(["e1"]);

    expect(await carts.applyCheckoutCompleted(event("e1", [["1", 1]]))).toBe("already-applied");
    expect(store.carts.get("u1")).toEqual(afterFirst);
  });

  it("remembers only the most recent event ids", async () => {
    const { carts, store } = setup();
    await carts.addItem("u1", "1", 1);
    for (let i = 0; i <= APPLIED_EVENT_IDS_KEPT; i++) await carts.applyCheckoutCompleted(event(`e${i}`, []));
    const ids = store.carts.get("u1")?.appliedEventIds ?? [];
    expect(ids).toHaveLength(APPLIED_EVENT_IDS_KEPT);
    expect(ids[0]).toBe("e1");
    expect(ids.at(-1)).toBe(`e${APPLIED_EVENT_IDS_KEPT}`);
  });

  it("does nothing for a user without a cart", async () => {
    const { carts, store } = setup();
    expect(await carts.applyCheckoutCompleted(event("e1", [["1", 1]]))).toBe("no-cart");
    expect(store.carts.size).toBe(0);
  });

  it("drops the cached cart so readers see the result", async () => {
    const { carts } = setup();
    await carts.addItem("u1", "1", 1);
    await carts.getCart("u1");
    await carts.applyCheckoutCompleted(event("e1", [["1", 1]]));
    expect((await carts.getCart("u1")).items).toEqual([]);
  });

  it("refuses a malformed event so the bus can park it", async () => {
    const { carts } = setup();
    expect(await failure(carts.applyCheckoutCompleted({ ...event("e1", []), userId: "" }))).toBe(
      "invalid_argument/INVALID_ARGUMENT",
    );
    expect(await failure(carts.applyCheckoutCompleted(event("", [])))).toBe("invalid_argument/INVALID_ARGUMENT");
    expect(await failure(carts.applyCheckoutCompleted(event("e2", [["1", 0]])))).toBe(
      "invalid_argument/INVALID_QUANTITY",
    );
  });
});
