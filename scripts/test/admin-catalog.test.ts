import type { ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interruptEmbeddedProcess, isolatedEmbeddedEnv, startEmbeddedProcess } from "../lib/embedded-process.js";
import { eventually } from "../lib/eventually.js";
import { RestCustomer } from "../lib/rest-customer.js";

/**
 * The admin catalog end to end, through the gateway of an embedded system started as `npm start`
 * starts it (real services, embedded PostgreSQL, SQLite): an admin adds a product with a JPY and
 * a USD price and 10 units and a customer buys it (issue #14's "done when"); a price changed
 * between cart and checkout is what the checkout charges and the order shows (item 4); a product
 * taken off sale cannot be added or bought; stock is adjusted by hand.
 */
let system: ChildProcess | undefined;
let isolated: Awaited<ReturnType<typeof isolatedEmbeddedEnv>> | undefined;
let api: string;
let admin: RestCustomer;

beforeAll(async () => {
  isolated = await isolatedEmbeddedEnv("checkout-saga-admin-", { RATE_LIMIT_PER_MINUTE: "0" });
  system = await startEmbeddedProcess(isolated.env);
  api = `${isolated.gatewayUrl}/api/v1`;
  admin = new RestCustomer(api, "ops");
  await admin.signIn(["admin"]);
}, 600_000);

afterAll(async () => {
  if (system) await interruptEmbeddedProcess(system);
  if (isolated) await rm(isolated.dataDir, { recursive: true, force: true });
});

const jpy = (amount_minor: number) => ({ currency: "JPY", amount_minor });
const usd = (amount_minor: number) => ({ currency: "USD", amount_minor });

/** A new product of the admin's, 10 units, priced ¥3,300 / $24.00; its id. */
async function addTeaCup(name = "Tea cup"): Promise<string> {
  const res = await admin.call("POST", "/admin/products", {
    name,
    description: "Hand-thrown stoneware",
    prices: [jpy(3300), usd(2400)],
    initial_stock: 10,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** A signed-in customer of their own. */
async function customer(userId: string): Promise<RestCustomer> {
  const c = new RestCustomer(api, userId);
  await c.signIn();
  return c;
}

/** The order of a checkout, once the orders service has consumed its CheckoutCompleted. */
async function orderOf(buyer: RestCustomer, checkoutId: string) {
  const orders = await eventually(
    () => buyer.orders(),
    (list) => list.some((o) => o.checkout_id === checkoutId),
    20_000,
  );
  const summary = orders.find((o) => o.checkout_id === checkoutId);
  return (await buyer.call("GET", `/orders/${summary.id}`)).body;
}

describe("admin catalog, end to end", () => {
  it("an admin adds a product with a JPY and a USD price and 10 units, and a customer buys it", async () => {
    const created = await admin.call("POST", "/admin/products", {
      name: "Tea cup",
      description: "Hand-thrown stoneware",
      prices: [usd(2400), jpy(3300)],
      tax_class: "standard",
      image_url: "https://images.example.com/products/tea-cup.jpg",
      initial_stock: 10,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({ prices: [jpy(3300), usd(2400)], sellable: true, available: 10 });

    const hanako = await customer("hanako");
    const listed = await hanako.call("GET", `/products/${id}?currency=JPY`);
    expect(listed.body).toMatchObject({ name: "Tea cup", price: jpy(3300), available: 10 });
    expect((await hanako.call("PATCH", "/cart", { currency: "JPY" })).status).toBe(200);
    expect((await hanako.addItem(id, 2)).status).toBe(201);
    const res = await hanako.checkout("tea-cup-1");
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: "COMPLETED", total: jpy(6600) });
    expect((await hanako.call("GET", `/products/${id}`)).body.available).toBe(8);

    // The same product in dollars, for another customer.
    const alice = await customer("alice");
    await alice.addItem(id, 1);
    const paid = await alice.checkout("tea-cup-usd");
    expect(paid.body).toMatchObject({ status: "COMPLETED", total: usd(2400) });
  });

  it("charges the catalog's price at checkout time when it changed after the item went in the cart, and the order shows it", async () => {
    const id = await addTeaCup("Tea bowl");
    const bob = await customer("bob");
    await bob.addItem(id, 2);
    const repriced = await admin.call("PATCH", `/admin/products/${id}`, { prices: [jpy(3300), usd(2600)] });
    expect(repriced.status).toBe(200);
    expect(repriced.body.price).toEqual(usd(2600));

    const res = await bob.checkout("repriced-1");
    expect(res.body).toMatchObject({ status: "COMPLETED", total: usd(5200) });
    const order = await orderOf(bob, res.body.checkout_id);
    expect(order.total).toEqual(usd(5200));
    expect(order.items).toEqual([expect.objectContaining({ product_id: id, quantity: 2, unit_price: usd(2600) })]);
  });

  it("a product taken off sale stays listed but cannot be added or bought", async () => {
    const id = await addTeaCup("Tea pot");
    const carol = await customer("carol");
    await carol.addItem(id, 1);
    const offSale = await admin.call("PATCH", `/admin/products/${id}`, { sellable: false });
    expect(offSale.body).toMatchObject({ sellable: false, price: usd(2400) });

    const dave = await customer("dave");
    expect((await dave.call("GET", `/products/${id}`)).body.sellable).toBe(false);
    const add = await dave.addItem(id, 1);
    expect([add.status, add.body.type]).toEqual([409, "https://checkout-saga.dev/problems/product-not-sellable"]);
    const buy = await carol.checkout("off-sale-1");
    expect([buy.status, buy.body.code]).toEqual([409, "PRODUCT_NOT_SELLABLE"]);
  });

  it("adjusts stock by hand, never below nothing on hand, and only for a product in the catalog", async () => {
    const id = await addTeaCup("Tea tray");
    const more = await admin.call("POST", `/admin/products/${id}/stock`, { adjust: 5, reason: "delivery" });
    expect(more.body).toEqual({ product_id: id, available: 15, reserved: 0 });
    const tooMany = await admin.call("POST", `/admin/products/${id}/stock`, { adjust: -16, reason: "count" });
    expect([tooMany.status, tooMany.body.code]).toEqual([409, "STOCK_BELOW_RESERVED"]);
    const unknown = await admin.call("POST", "/admin/products/no-such-product/stock", { adjust: 5, reason: "x" });
    expect(unknown.status).toBe(404);
    const eve = await customer("eve");
    const refused = await eve.call("POST", `/admin/products/${id}/stock`, { adjust: 5, reason: "x" });
    expect([refused.status, refused.body.type]).toEqual([
      403,
      "https://checkout-saga.dev/problems/admin-role-required",
    ]);
  });
});
