import { describe, expect, it } from "vitest";
import { type Json, problemOf, startTestGateway } from "./fixture.js";

describe("cart", () => {
  it("an empty cart totals zero USD", async () => {
    const gw = startTestGateway();
    const res = await gw.call("GET", "/cart");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ currency: "USD", items: [], total: { currency: "USD", amount_minor: 0 } });
  });

  it("adds lines (201) and answers with names, unit prices, subtotals and total from the catalog", async () => {
    const gw = startTestGateway();
    expect((await gw.call("POST", "/cart/items", { body: { product_id: "1", quantity: 1 } })).status).toBe(201);
    const res = await gw.call("POST", "/cart/items", { body: { product_id: "2", quantity: 2 } });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      currency: "USD",
      items: [
        {
          product_id: "1",
          name: "Laptop",
          quantity: 1,
          unit_price: { currency: "USD", amount_minor: 129999 },
          subtotal: { currency: "USD", amount_minor: 129999 },
        },
        {
          product_id: "2",
          name: "Mouse",
          quantity: 2,
          unit_price: { currency: "USD", amount_minor: 2999 },
          subtotal: { currency: "USD", amount_minor: 5998 },
        },
      ],
      total: { currency: "USD", amount_minor: 135997 },
    });
  });

  it("sets a quantity, removes a line and clears, each answering the cart", async () => {
    const gw = startTestGateway();
    await gw.call("POST", "/cart/items", { body: { product_id: "1", quantity: 1 } });
    await gw.call("POST", "/cart/items", { body: { product_id: "2", quantity: 1 } });
    const set = await gw.call("PUT", "/cart/items/2", { body: { quantity: 3 } });
    expect(set.status).toBe(200);
    expect(((await set.json()) as Json).total.amount_minor).toBe(129999 + 3 * 2999);
    const removed = await gw.call("DELETE", "/cart/items/1");
    expect(removed.status).toBe(200);
    expect(((await removed.json()) as Json).total.amount_minor).toBe(3 * 2999);
    const cleared = await gw.call("DELETE", "/cart");
    expect(cleared.status).toBe(200);
    expect(((await cleared.json()) as Json).items).toEqual([]);
  });

  it("PATCH /cart switches the currency; every line, subtotal and the total are then in it", async () => {
    const gw = startTestGateway();
    await gw.call("POST", "/cart/items", { body: { product_id: "1", quantity: 1 } });
    await gw.call("POST", "/cart/items", { body: { product_id: "2", quantity: 2 } });
    const res = await gw.call("PATCH", "/cart", { body: { currency: "JPY" } });
    expect(res.status).toBe(200);
    const cart = (await res.json()) as Json;
    expect(cart.currency).toBe("JPY");
    expect(cart.items.map((l: Json) => [l.product_id, l.unit_price, l.subtotal])).toEqual([
      ["1", { currency: "JPY", amount_minor: 189800 }, { currency: "JPY", amount_minor: 189800 }],
      ["2", { currency: "JPY", amount_minor: 4480 }, { currency: "JPY", amount_minor: 8960 }],
    ]);
    expect(cart.total).toEqual({ currency: "JPY", amount_minor: 189800 + 8960 });
    expect(((await (await gw.call("GET", "/cart")).json()) as Json).total.currency).toBe("JPY");
  });

  it("a product without a price in the cart's currency: 422 naming it, on PATCH and on add", async () => {
    const gw = startTestGateway();
    await gw.call("POST", "/cart/items", { body: { product_id: "7", quantity: 1 } });
    const patch = await gw.call("PATCH", "/cart", { body: { currency: "JPY" } });
    expect(patch.status).toBe(422);
    const problem = await problemOf(patch);
    expect(problem.type).toBe("https://checkout-saga.dev/problems/product-not-priced");
    expect(problem.product_id).toBe("7");
    expect(((await (await gw.call("GET", "/cart")).json()) as Json).currency).toBe("USD");

    await gw.call("PATCH", "/cart", { body: { currency: "JPY" }, user: "bob" });
    const add = await gw.call("POST", "/cart/items", { body: { product_id: "7", quantity: 1 }, user: "bob" });
    expect(add.status).toBe(422);
    expect((await problemOf(add)).product_id).toBe("7");
  });

  it("PATCH /cart refuses a malformed currency or an unknown member with a 400", async () => {
    const gw = startTestGateway();
    expect((await gw.call("PATCH", "/cart", { body: { currency: "yen" } })).status).toBe(400);
    expect((await gw.call("PATCH", "/cart", { body: {} })).status).toBe(400);
    expect((await gw.call("PATCH", "/cart", { body: { currency: "JPY", total: 1 } })).status).toBe(400);
  });

  it("keeps users apart", async () => {
    const gw = startTestGateway();
    await gw.call("POST", "/cart/items", { body: { product_id: "1", quantity: 1 } });
    expect(((await (await gw.call("GET", "/cart", { user: "bob" })).json()) as Json).items).toEqual([]);
  });

  it("maps a service's NOT_FOUND reason to a 404 problem", async () => {
    const gw = startTestGateway();
    const res = await gw.call("PUT", "/cart/items/2", { body: { quantity: 3 } });
    expect(res.status).toBe(404);
    const p = await problemOf(res);
    expect(p.type).toBe("https://checkout-saga.dev/problems/cart-line-not-found");
    expect(p.code).toBe("CART_LINE_NOT_FOUND");
  });
});

describe("request validation", () => {
  const cases: Array<[string, { body?: unknown; rawBody?: string; headers?: Record<string, string> }, number, RegExp]> =
    [
      ["quantity 0", { body: { product_id: "1", quantity: 0 } }, 400, /^quantity: must be at least 1, got 0$/],
      ["quantity 100", { body: { product_id: "1", quantity: 100 } }, 400, /^quantity: must be at most 99, got 100$/],
      ["quantity 1.5", { body: { product_id: "1", quantity: 1.5 } }, 400, /^quantity: must be an integer, got 1.5$/],
      [
        "quantity as a string",
        { body: { product_id: "1", quantity: "2" } },
        400,
        /^quantity: must be a number, got "2"$/,
      ],
      ["an unknown field", { body: { product_id: "1", quantity: 1, price: 1 } }, 400, /^price: is not a known field$/],
      ["a missing field", { body: { quantity: 1 } }, 400, /^product_id: is required$/],
      [
        "a product id of the wrong type",
        { body: { product_id: 1, quantity: 1 } },
        400,
        /^product_id: must be a string, got 1$/,
      ],
      ["a JSON array", { body: [1] }, 400, /must be a JSON object, got an array/],
      [
        "malformed JSON",
        { rawBody: '{"product_id": "1",', headers: { "content-type": "application/json" } },
        400,
        /not valid JSON/,
      ],
      ["an empty body", { rawBody: "", headers: { "content-type": "application/json" } }, 400, /empty/],
      [
        "a form body",
        { rawBody: "product_id=1", headers: { "content-type": "application/x-www-form-urlencoded" } },
        415,
        /application\/json/,
      ],
      // fetch labels a string body text/plain when no type is given.
      ["an undeclared (text/plain) body", { rawBody: '{"product_id":"1","quantity":1}' }, 415, /got text\/plain/],
      [
        "an oversized body",
        { body: { product_id: "1", quantity: 1, pad: "x".repeat(70_000) } },
        413,
        /exceeds 65536 bytes/,
      ],
    ];

  for (const [name, init, status, detail] of cases) {
    it(`refuses ${name} with ${status} problem+json and writes nothing`, async () => {
      const gw = startTestGateway();
      const res = await gw.call("POST", "/cart/items", init);
      expect(res.status).toBe(status);
      const p = await problemOf(res);
      expect(p.status).toBe(status);
      expect(p.detail).toMatch(detail);
      expect(p.request_id).toBe(res.headers.get("x-request-id"));
      expect(p.instance).toBe("/api/v1/cart/items");
      expect(((await (await gw.call("GET", "/cart")).json()) as Json).items).toEqual([]);
    });
  }

  it("lists every issue in errors", async () => {
    const gw = startTestGateway();
    const p = await problemOf(await gw.call("POST", "/cart/items", { body: { quantity: 0, extra: true } }));
    expect(p.type).toBe("https://checkout-saga.dev/problems/validation-error");
    expect(p.errors.map((e: { path: string }) => e.path).sort()).toEqual(["extra", "product_id", "quantity"]);
    expect(p.errors).toContainEqual({ path: "quantity", in: "body", message: "must be at least 1, got 0" });
    expect(p.detail).toMatch(/\(and 2 more\)$/);
  });

  it("refuses a bad limit on a collection", async () => {
    const gw = startTestGateway();
    for (const limit of ["0", "101", "abc", "1.5", "", "1e2", "-1"]) {
      const res = await gw.call("GET", `/products?limit=${limit}`);
      expect(res.status, limit).toBe(400);
      const p = await problemOf(res);
      expect(p.detail, limit).toMatch(/^limit: must be (an integer between 1 and 100|at least 1|at most 100)/);
      expect(p.errors[0].in).toBe("query");
    }
  });
});
