import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import type { Cart } from "./cart.js";
import { CLAIM_TOMBSTONES_KEPT } from "./cart-claims.js";
import { failure, setup } from "./carts-fixtures.js";

const lines = (...l: Array<[string, number]>) => l.map(([productId, quantity]) => ({ productId, quantity }));
const quantities = (cart: Cart) => cart.items.map((l) => [l.productId, l.quantity]);
const completed = (eventId: string, checkoutId: string, l: Array<[string, number]>) => ({
  eventId,
  userId: "u1",
  checkoutId,
  lines: lines(...l),
});
const holders = (cart: Cart) =>
  cart.claims.map((c) => [c.checkoutId, ...c.lines.map((l) => `${l.productId}x${l.quantity}`)]);

describe("claiming cart lines", () => {
  it("holds the lines for one checkout and shows the held claim in the cart", async () => {
    const { carts, store } = setup();
    await carts.addItem("u1", "1", 2);
    await carts.getCart("u1"); // warm the cache: the claim must reach readers anyway
    const claim = await carts.claimLines("u1", "a", lines(["1", 1]));
    expect(claim).toMatchObject({ checkoutId: "a", state: "held", lines: lines(["1", 1]) });
    expect(holders(await carts.getCart("u1"))).toEqual([["a", "1x1"]]);
    expect(store.carts.get("u1")?.version).toBe(2);
  });

  it("answers a repeat with the same claim and writes nothing", async () => {
    const { carts, store } = setup();
    await carts.addItem("u1", "1", 1);
    const first = await carts.claimLines("u1", "a", lines(["1", 1]));
    const before = structuredClone(store.carts.get("u1"));
    expect(await carts.claimLines("u1", "a", lines(["1", 1]))).toEqual(first);
    expect(store.carts.get("u1")).toEqual(before);
  });

  it("refuses a second checkout the held quantities, naming the holder, and writes nothing", async () => {
    const { carts, store } = setup();
    await carts.addItem("u1", "1", 1);
    await carts.claimLines("u1", "a", lines(["1", 1]));
    const version = store.carts.get("u1")?.version;
    const err = await carts.claimLines("u1", "b", lines(["1", 1])).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({
      reason: "CART_LINES_HELD",
      context: { metadata: { held_by: "a" }, lines: [{ productId: "1", requested: 1, available: 0 }] },
    });
    expect(store.carts.get("u1")?.version).toBe(version);
  });

  it("lets only one of many concurrent checkouts claim the last unit", async () => {
    const { carts } = setup({ maxAttempts: 20 });
    await carts.addItem("u1", "1", 1);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => carts.claimLines("u1", `c${i}`, lines(["1", 1]))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(holders(await carts.getCart("u1"))).toHaveLength(1);
  });

  it("refuses a claim naming a product twice before touching the store", async () => {
    const { carts, store } = setup();
    expect(await failure(carts.claimLines("u1", "a", lines(["1", 1], ["1", 2])))).toBe(
      "invalid_argument/INVALID_ARGUMENT",
    );
    expect(store.loads).toBe(0);
  });
});

describe("releasing a claim", () => {
  it("frees the held quantities for the next checkout, once", async () => {
    const { carts, store } = setup();
    await carts.addItem("u1", "1", 1);
    await carts.claimLines("u1", "a", lines(["1", 1]));
    expect(await carts.releaseClaim("u1", "a")).toBe("released");
    expect((await carts.getCart("u1")).claims).toEqual([]);
    const version = store.carts.get("u1")?.version;
    expect(await carts.releaseClaim("u1", "a")).toBe("already-ended");
    expect(store.carts.get("u1")?.version).toBe(version);
    expect(await carts.claimLines("u1", "b", lines(["1", 1]))).toMatchObject({ checkoutId: "b", state: "held" });
  });

  it("refuses a claim that arrives after its release, even for a user who had no cart then", async () => {
    const { carts } = setup();
    expect(await carts.releaseClaim("u1", "late")).toBe("tombstoned");
    await carts.addItem("u1", "1", 1);
    expect(await failure(carts.claimLines("u1", "late", lines(["1", 1])))).toBe(
      "failed_precondition/CART_CLAIM_RELEASED",
    );
    expect((await carts.getCart("u1")).claims).toEqual([]);
  });

  it("keeps a cart's tombstones bounded", async () => {
    const { carts, store } = setup();
    for (let i = 0; i < CLAIM_TOMBSTONES_KEPT + 5; i++) await carts.releaseClaim("u1", `c${i}`);
    expect(store.carts.get("u1")?.claims).toHaveLength(CLAIM_TOMBSTONES_KEPT);
  });
});

describe("a completed checkout with a claim", () => {
  it("is sold once: a later checkout sees it gone at once, and the consumer settles it exactly once", async () => {
    const { carts, store } = setup();
    // Buy a Mouse (1); the checkout completes, but its event has not reached the cart yet.
    await carts.addItem("u1", "1", 1);
    await carts.claimLines("u1", "mouse", lines(["1", 1]));
    // Add a Keyboard (2) and check out again: only the Keyboard is buyable.
    await carts.addItem("u1", "2", 1);
    const cart = await carts.getCart("u1");
    expect(holders(cart)).toEqual([["mouse", "1x1"]]);
    expect(await failure(carts.claimLines("u1", "keyboard", lines(["1", 1], ["2", 1])))).toBe(
      "failed_precondition/CART_LINES_HELD",
    );
    await carts.claimLines("u1", "keyboard", lines(["2", 1]));

    expect(await carts.applyCheckoutCompleted(completed("e1", "mouse", [["1", 1]]))).toBe("settled");
    const settled = await carts.getCart("u1");
    expect(quantities(settled)).toEqual([["2", 1]]);
    expect(holders(settled)).toEqual([["keyboard", "2x1"]]);

    const after = structuredClone(store.carts.get("u1"));
    expect(await carts.applyCheckoutCompleted(completed("e1", "mouse", [["1", 1]]))).toBe("already-applied");
    // Even under another event id, a settled claim is not subtracted again.
    expect(await carts.applyCheckoutCompleted(completed("e1-copy", "mouse", [["1", 1]]))).toBe("already-applied");
    expect(store.carts.get("u1")).toEqual(after);
  });

  it("subtracts the claim's lines and keeps what was added meanwhile", async () => {
    const { carts } = setup();
    await carts.addItem("u1", "1", 2);
    await carts.claimLines("u1", "a", lines(["1", 2]));
    await carts.addItem("u1", "1", 1);
    // The event's lines are not what decides here: the claim is.
    expect(await carts.applyCheckoutCompleted(completed("e1", "a", [["1", 3]]))).toBe("settled");
    expect(quantities(await carts.getCart("u1"))).toEqual([["1", 1]]);
    expect(await carts.claimLines("u1", "b", lines(["1", 1]))).toMatchObject({ state: "held" });
  });

  it("falls back to the event's lines for a checkout without a claim", async () => {
    const { carts } = setup();
    await carts.addItem("u1", "1", 3);
    expect(await carts.applyCheckoutCompleted(completed("e1", "old", [["1", 1]]))).toBe("applied");
    expect(quantities(await carts.getCart("u1"))).toEqual([["1", 2]]);
  });

  it("answers a repeated claim after settling with the settled claim, holding nothing", async () => {
    const { carts } = setup();
    await carts.addItem("u1", "1", 2);
    await carts.claimLines("u1", "a", lines(["1", 1]));
    await carts.applyCheckoutCompleted(completed("e1", "a", [["1", 1]]));
    expect(await carts.claimLines("u1", "a", lines(["1", 1]))).toMatchObject({ state: "settled" });
    expect((await carts.getCart("u1")).claims).toEqual([]);
  });
});

describe("reading a checkout's claim", () => {
  it("answers held, then settled with when, from the store", async () => {
    const { carts } = setup();
    await carts.addItem("u1", "1", 2);
    await carts.claimLines("u1", "a", lines(["1", 1]));
    expect(await carts.getClaim("u1", "a")).toMatchObject({ state: "held", lines: lines(["1", 1]) });
    await carts.getCart("u1");
    await carts.applyCheckoutCompleted(completed("e1", "a", [["1", 1]]));
    // Not the cache's copy, which keeps held claims only.
    expect(await carts.getClaim("u1", "a")).toMatchObject({ state: "settled", at: expect.any(Date) });
  });

  it("answers released after the checkout's undo", async () => {
    const { carts } = setup();
    await carts.addItem("u1", "1", 1);
    await carts.claimLines("u1", "a", lines(["1", 1]));
    await carts.releaseClaim("u1", "a");
    expect(await carts.getClaim("u1", "a")).toMatchObject({ state: "released" });
  });

  it("records as settled a completed checkout that held no claim", async () => {
    const { carts } = setup();
    await carts.addItem("u1", "1", 3);
    expect(await carts.applyCheckoutCompleted(completed("e1", "old", [["1", 1]]))).toBe("applied");
    expect(await carts.getClaim("u1", "old")).toMatchObject({ state: "settled", lines: lines(["1", 1]) });
    // The settlement dedupes by checkout too, not only by event id.
    expect(await carts.applyCheckoutCompleted(completed("e1-copy", "old", [["1", 1]]))).toBe("already-applied");
  });

  it("answers nothing for a checkout the cart has no record of, or a user without a cart", async () => {
    const { carts } = setup();
    expect(await carts.getClaim("u1", "a")).toBeUndefined();
    await carts.addItem("u1", "1", 1);
    expect(await carts.getClaim("u1", "a")).toBeUndefined();
  });
});
