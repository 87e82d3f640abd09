import type { ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interruptEmbeddedProcess, isolatedEmbeddedEnv, startEmbeddedProcess } from "../lib/embedded-process.js";
import { eventually } from "../lib/eventually.js";
import { RestCustomer } from "../lib/rest-customer.js";

/**
 * Currencies and consumption tax end to end, through the gateway of an embedded system started
 * as `npm start` starts it (real services, embedded PostgreSQL, SQLite): a JPY cart of a 10%
 * and an 8% product checks out with the tax per rate on the checkout, the order and (the order
 * is made from it) the CheckoutCompleted event; a USD checkout carries `tax: null`.
 */
let system: ChildProcess | undefined;
let isolated: Awaited<ReturnType<typeof isolatedEmbeddedEnv>> | undefined;
let api: string;

beforeAll(async () => {
  isolated = await isolatedEmbeddedEnv("checkout-saga-jpy-", { RATE_LIMIT_PER_MINUTE: "0" });
  system = await startEmbeddedProcess(isolated.env);
  api = `${isolated.gatewayUrl}/api/v1`;
}, 600_000);

afterAll(async () => {
  if (system) await interruptEmbeddedProcess(system);
  if (isolated) await rm(isolated.dataDir, { recursive: true, force: true });
});

const jpy = (amount_minor: number) => ({ currency: "JPY", amount_minor });
const usd = (amount_minor: number) => ({ currency: "USD", amount_minor });

/** The order of a checkout, once the orders service has consumed its CheckoutCompleted. */
async function orderOf(customer: RestCustomer, checkoutId: string) {
  const orders = await eventually(
    () => customer.orders(),
    (list) => list.some((o) => o.checkout_id === checkoutId),
    20_000,
  );
  const summary = orders.find((o) => o.checkout_id === checkoutId);
  expect(summary, `an order for checkout ${checkoutId}`).toBeDefined();
  const full = await customer.call("GET", `/orders/${summary.id}`);
  expect(full.status).toBe(200);
  return full.body;
}

describe("currencies and consumption tax, end to end", () => {
  it("the catalog answers in ?currency=, with every price and the tax class", async () => {
    const customer = new RestCustomer(api, "catalog-reader");
    await customer.signIn();
    const list = await customer.call("GET", "/products?currency=JPY&limit=100");
    expect(list.status).toBe(200);
    const matcha = list.body.items.find((p: { name: string }) => p.name === "Matcha");
    expect(matcha).toMatchObject({
      price: jpy(1620),
      prices: [jpy(1620), usd(1499)],
      tax_class: "reduced",
      available: 300,
    });
    const laptop = await customer.call("GET", "/products/1");
    expect(laptop.body).toMatchObject({ price: usd(129999), tax_class: "standard" });
    expect((await customer.call("GET", "/products/1?currency=EUR")).body.price).toBeNull();
    const unknown = await customer.call("GET", "/products?currency=ABC");
    expect(unknown.status).toBe(400);
  });

  it("a JPY checkout of a 10% and an 8% product: tax per rate on the checkout and the order", async () => {
    const customer = new RestCustomer(api, "hanako");
    await customer.signIn();
    expect((await customer.addItem("1", 1)).status).toBe(201);
    const switched = await customer.call("PATCH", "/cart", { currency: "JPY" });
    expect(switched.status).toBe(200);
    expect((await customer.addItem("6", 3)).status).toBe(201);
    const cart = await customer.cart();
    expect(cart).toMatchObject({ currency: "JPY", total: jpy(189800 + 3 * 1620) });
    expect(cart.items.map((l: { subtotal: unknown }) => l.subtotal)).toEqual([jpy(189800), jpy(4860)]);

    const res = await customer.checkout("jpy-1");
    expect(res.status).toBe(201);
    const totals = {
      subtotal: jpy(194660),
      points_redeemed: jpy(0),
      total: jpy(194660),
      tax: {
        included: true,
        lines: [
          // floor(189800 × 10 / 110) and floor(4860 × 8 / 108), each once on its rate's total.
          { rate: "10%", taxable: jpy(189800), tax: jpy(17254) },
          { rate: "8%", taxable: jpy(4860), tax: jpy(360) },
        ],
      },
    };
    expect(res.body).toMatchObject({ status: "COMPLETED", total: jpy(194660), totals });
    const checkout = await customer.call("GET", `/checkout/${res.body.checkout_id}`);
    expect(checkout.body.totals).toEqual(totals);
    const order = await orderOf(customer, res.body.checkout_id);
    expect(order).toMatchObject({ total: jpy(194660), totals });
    expect(order.items.map((i: { unit_price: unknown }) => i.unit_price)).toEqual([jpy(189800), jpy(1620)]);
  });

  it("a USD checkout carries tax: null", async () => {
    const customer = new RestCustomer(api, "alice");
    await customer.signIn();
    await customer.addItem("6", 2);
    const res = await customer.checkout("usd-1");
    expect(res.status).toBe(201);
    const totals = { subtotal: usd(2998), points_redeemed: usd(0), total: usd(2998), tax: null };
    expect(res.body.totals).toEqual(totals);
    expect((await orderOf(customer, res.body.checkout_id)).totals).toEqual(totals);
  });
});
