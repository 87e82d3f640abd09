import { describe, expect, it } from "vitest";
import { CHECKOUT_BODY, type Json, problemOf, startTestGateway } from "./fixture.js";

const checkoutBody = CHECKOUT_BODY;

/**
 * The fakes answer by user as the real services do (fixture.ts); these tests check that every
 * route passes the token's user, so another user's cart, checkout or order is out of reach.
 */
describe("user isolation", () => {
  async function aliceWithACartAndACheckout() {
    const gw = startTestGateway();
    expect((await gw.call("POST", "/cart/items", { body: { product_id: "1", quantity: 2 } })).status).toBe(201);
    const res = await gw.call("POST", "/checkout", { body: checkoutBody, headers: { "Idempotency-Key": "a-1" } });
    expect(res.status).toBe(201);
    const checkoutId = ((await res.json()) as Json).checkout_id as string;
    gw.seen.mutations.length = 0;
    const aliceCart = async () => ((await (await gw.call("GET", "/cart")).json()) as Json).items;
    return { gw, checkoutId, aliceCart };
  }

  it("cart: bob sees, changes and clears only his own cart", async () => {
    const { gw, aliceCart } = await aliceWithACartAndACheckout();
    const before = await aliceCart();
    expect(before).toHaveLength(1);
    expect(((await (await gw.call("GET", "/cart", { user: "bob" })).json()) as Json).items).toEqual([]);
    const set = await gw.call("PUT", "/cart/items/1", { user: "bob", body: { quantity: 5 } });
    expect(set.status).toBe(404);
    expect((await problemOf(set)).type).toBe("https://checkout-saga.dev/problems/cart-line-not-found");
    expect((await gw.call("DELETE", "/cart/items/1", { user: "bob" })).status).toBe(200);
    expect((await gw.call("DELETE", "/cart", { user: "bob" })).status).toBe(200);
    expect((await gw.call("POST", "/cart/items", { user: "bob", body: { product_id: "2", quantity: 1 } })).status).toBe(
      201,
    );
    expect(await aliceCart()).toEqual(before);
    expect(gw.seen.mutations.every((m) => m.userId === "bob")).toBe(true);
    expect(gw.seen.mutations.map((m) => m.method)).toEqual(["updateQuantity", "removeItem", "clearCart", "addItem"]);
  });

  it("checkout: another user's checkout is a 404, and bob's checkout is of bob's cart", async () => {
    const { gw, checkoutId } = await aliceWithACartAndACheckout();
    expect((await gw.call("GET", `/checkout/${checkoutId}`)).status).toBe(200);
    const other = await gw.call("GET", `/checkout/${checkoutId}`, { user: "bob" });
    expect(other.status).toBe(404);
    expect((await problemOf(other)).type).toBe("https://checkout-saga.dev/problems/checkout-not-found");
    await gw.call("POST", "/checkout", { user: "bob", body: checkoutBody, headers: { "Idempotency-Key": "a-1" } });
    expect(gw.seen.checkoutRequests.at(-1)?.userId).toBe("bob");
  });

  it("orders: the list holds only the caller's orders, and another user's order is a 404", async () => {
    const gw = startTestGateway();
    const alice = (await (await gw.call("GET", "/orders")).json()) as Json;
    expect(alice.items.map((o: Json) => o.id)).toEqual(["o-alice"]);
    expect((await gw.call("GET", "/orders/o-alice")).status).toBe(200);
    const other = await gw.call("GET", "/orders/o-bob");
    expect(other.status).toBe(404);
    expect((await problemOf(other)).type).toBe("https://checkout-saga.dev/problems/order-not-found");
    const bob = (await (await gw.call("GET", "/orders", { user: "bob" })).json()) as Json;
    expect(bob.items.map((o: Json) => o.id)).toEqual(["o-bob"]);
  });
});
