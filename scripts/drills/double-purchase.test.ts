import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interruptEmbeddedProcess, isolatedEmbeddedEnv, startEmbeddedProcess } from "../lib/embedded-process.js";
import { type Reply, RestCustomer } from "../lib/rest-customer.js";
import { startIsolatedStack } from "../lib/stack-process.js";

/**
 * "A cart line is sold at most once" (contract: Checkout and Idempotency-Key), drilled under
 * load in both modes through the REST gateway, with a cart consumer slowed down by
 * CART_CONSUMER_DELAY_MS so that what a completed checkout bought is still in the cart when the
 * next checkout starts:
 * - buy, add, buy again: the second checkout buys only what was added since the first;
 * - two tabs: two checkouts of one cart at once, with two keys: one buys, the other is refused.
 * Every customer's orders are then counted: no line may be bought twice, and nothing is a 5xx.
 */

/** Replies are read field by field; their shape is what is under test. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

const MOUSE = "2";
const KEYBOARD = "3";
const DRILL_ENV = {
  // Long enough that the next checkout starts before the first one's lines leave the cart.
  CART_CONSUMER_DELAY_MS: "1500",
  // Every customer calls at once from 127.0.0.1: the per-IP limit is not under test.
  RATE_LIMIT_PER_MINUTE: "0",
};
/** How long the slowed consumer may take to catch up (the stack's is serial per partition). */
const CATCH_UP_MS = 150_000;

interface RunningSystem {
  api: string;
  stop(): Promise<void>;
}

interface Mode {
  name: string;
  buyAgainUsers: number;
  twoTabsUsers: number;
  start(): Promise<RunningSystem>;
}

async function startEmbedded(): Promise<RunningSystem> {
  const isolated = await isolatedEmbeddedEnv("checkout-saga-double-purchase-", DRILL_ENV);
  const removeData = () => rm(isolated.dataDir, { recursive: true, force: true });
  const child = await startEmbeddedProcess(isolated.env).catch(async (err) => {
    await removeData();
    throw err;
  });
  return {
    api: `${isolated.gatewayUrl}/api/v1`,
    async stop() {
      await interruptEmbeddedProcess(child);
      await removeData();
    },
  };
}

async function startStack(): Promise<RunningSystem> {
  const stack = await startIsolatedStack("checkout-saga-double-purchase-", DRILL_ENV);
  return { api: `${stack.gatewayUrl}/api/v1`, stop: stack.stop };
}

const MODES: Mode[] = [
  { name: "embedded", buyAgainUsers: 30, twoTabsUsers: 20, start: startEmbedded },
  { name: "production stack", buyAgainUsers: 20, twoTabsUsers: 20, start: startStack },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds, returning its last value either way. */
async function eventually<T>(check: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (ok(v) || Date.now() > deadline) return v;
    await sleep(1_000);
  }
}

async function signedIn(api: string, prefix: string, count: number): Promise<RestCustomer[]> {
  const customers = Array.from({ length: count }, (_, i) => new RestCustomer(api, `${prefix}-${i}`));
  await Promise.all(customers.map((c) => c.signIn()));
  return customers;
}

/** "2×1,3×1": a checkout's or order's lines, by product id, as one comparable string. */
const linesOf = (items: Json[] | undefined): string =>
  (items ?? [])
    .filter((i) => i.quantity - (i.cancelled_quantity ?? 0) > 0)
    .map((i) => `${i.product_id}×${i.quantity - (i.cancelled_quantity ?? 0)}`)
    .sort()
    .join(",");

/** Whether a cart or checkout has a line of `productId`. */
const holds = (items: Json[] | undefined, productId: string) => (items ?? []).some((i) => i.product_id === productId);

/** Units of each product bought over the customer's orders. */
function unitsBought(orders: Json[]): Map<string, number> {
  const units = new Map<string, number>();
  for (const o of orders) for (const i of o.items) units.set(i.product_id, (units.get(i.product_id) ?? 0) + i.quantity);
  return units;
}

/** Units bought more than once: each customer here adds one unit of each product, so any 2nd is a double sale. */
const secondCharges = (units: Map<string, number>) => [...units.values()].reduce((n, u) => n + Math.max(0, u - 1), 0);

/** Once the slowed consumer caught up: every cart empty and `ordersEach` orders per customer (or a customer has more). */
async function settled(customers: RestCustomer[], ordersEach: number) {
  return eventually(
    () => Promise.all(customers.map(async (c) => ({ user: c.userId, cart: await c.cart(), orders: await c.orders() }))),
    // More orders than that will not go away: no use waiting for the rest.
    (all) =>
      all.every((a) => a.cart.items.length === 0 && a.orders.length === ordersEach) ||
      all.some((a) => a.orders.length > ordersEach),
    CATCH_UP_MS,
  );
}

const isProblem = (r: Reply, status: number, slug: string) =>
  r.status === status && typeof r.body?.type === "string" && r.body.type.endsWith(slug);

const faults = (customers: RestCustomer[]) =>
  customers.flatMap((c) =>
    c.statuses.filter((s) => s.status === 0 || s.status >= 500).map((s) => `${c.userId} ${s.request} → ${s.status}`),
  );

describe.each(MODES)("double purchase, $name", (mode) => {
  let system: RunningSystem | undefined;
  const price = new Map<string, number>();
  const runId = Date.now().toString(36);

  beforeAll(async () => {
    system = await mode.start();
    const [probe] = await signedIn(system.api, `prices-${runId}`, 1);
    for (const id of [MOUSE, KEYBOARD]) {
      const r = await probe!.call("GET", `/products/${id}`);
      expect(r.status, `GET /products/${id}`).toBe(200);
      price.set(id, r.body.price.amount_minor);
    }
  }, 600_000);

  afterAll(async () => {
    await system?.stop();
  }, 180_000);

  it("buy, add, buy again: the second checkout buys only what was added since the first", async () => {
    const started = Date.now();
    const customers = await signedIn(system!.api, `buy-again-${runId}`, mode.buyAgainUsers);
    const runs = await Promise.all(
      customers.map(async (c) => {
        const addMouse = await c.addItem(MOUSE);
        const first = await c.checkout(`${c.userId}-first`);
        const addKeyboard = await c.addItem(KEYBOARD);
        const second = await c.checkout(`${c.userId}-second`);
        return { user: c.userId, addMouse, first, addKeyboard, second };
      }),
    );
    const after = await settled(customers, 2);

    const replies = runs.flatMap((r) => [r.first, r.second]);
    // The drill only means something if the Mouse was still in the cart (unsettled) when the second checkout began.
    const raced = runs.filter((r) => holds(r.addKeyboard.body?.items, MOUSE)).length;
    const units = after.map((a) => unitsBought(a.orders));
    const doubles = units.reduce((n, u) => n + secondCharges(u), 0);
    console.log(
      `[${mode.name}] buy, add, buy again: users=${customers.length} 201s=${replies.filter((r) => r.status === 201).length}` +
        ` 409s=${replies.filter((r) => r.status === 409).length} 422s=${replies.filter((r) => r.status === 422).length}` +
        ` 5xx=${faults(customers).length} raced=${raced} orders=${after.reduce((n, a) => n + a.orders.length, 0)}` +
        ` emptyCarts=${after.filter((a) => a.cart.items.length === 0).length}` +
        ` secondCharges=${doubles} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );

    expect(faults(customers), "5xx or no answer").toEqual([]);
    expect(raced, "second checkouts started before the cart consumer settled the first").toBeGreaterThan(0);
    for (const r of runs) {
      expect(r.addMouse.status, `${r.user} adds a Mouse`).toBe(201);
      expect(r.first.status, `${r.user} first checkout: ${JSON.stringify(r.first.body)}`).toBe(201);
      expect(linesOf(r.first.body.items), `${r.user} first checkout's lines`).toBe(`${MOUSE}×1`);
      expect(r.first.body.total.amount_minor, `${r.user} first checkout's total`).toBe(price.get(MOUSE));
      expect(r.addKeyboard.status, `${r.user} adds a Keyboard`).toBe(201);
      expect(r.second.status, `${r.user} second checkout: ${JSON.stringify(r.second.body)}`).toBe(201);
      expect(linesOf(r.second.body.items), `${r.user} second checkout's lines (Keyboard only)`).toBe(`${KEYBOARD}×1`);
      expect(r.second.body.total.amount_minor, `${r.user} second checkout's total`).toBe(price.get(KEYBOARD));
    }
    for (const a of after) {
      expect(a.cart.items, `${a.user}'s cart once the consumer caught up`).toEqual([]);
      expect(a.orders.map((o: Json) => linesOf(o.items)).sort(), `${a.user}'s orders`).toEqual([
        `${MOUSE}×1`,
        `${KEYBOARD}×1`,
      ]);
    }
    expect(doubles, "units bought a second time").toBe(0);
  }, 360_000);

  it("two tabs: of two checkouts of one cart at once, exactly one buys it", async () => {
    const started = Date.now();
    const customers = await signedIn(system!.api, `two-tabs-${runId}`, mode.twoTabsUsers);
    const runs = await Promise.all(
      customers.map(async (c) => {
        const adds = [await c.addItem(MOUSE), await c.addItem(KEYBOARD)];
        const tabs = await Promise.all([c.checkout(`${c.userId}-tab-a`), c.checkout(`${c.userId}-tab-b`)]);
        return { user: c.userId, adds, tabs };
      }),
    );
    const after = await settled(customers, 1);

    const replies = runs.flatMap((r) => r.tabs);
    const units = after.map((a) => unitsBought(a.orders));
    const doubles = units.reduce((n, u) => n + secondCharges(u), 0);
    console.log(
      `[${mode.name}] two tabs: users=${customers.length} 201s=${replies.filter((r) => r.status === 201).length}` +
        ` 409s=${replies.filter((r) => isProblem(r, 409, "checkout-in-progress")).length}` +
        ` 422s=${replies.filter((r) => isProblem(r, 422, "cart-empty")).length} 5xx=${faults(customers).length}` +
        ` orders=${after.reduce((n, a) => n + a.orders.length, 0)}` +
        ` emptyCarts=${after.filter((a) => a.cart.items.length === 0).length}` +
        ` secondCharges=${doubles} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );

    expect(faults(customers), "5xx or no answer").toEqual([]);
    for (const r of runs) {
      expect(
        r.adds.map((a) => a.status),
        `${r.user} adds a Mouse and a Keyboard`,
      ).toEqual([201, 201]);
      const bought = r.tabs.filter((t) => t.status === 201);
      expect(bought.length, `${r.user}: one 201 of ${JSON.stringify(r.tabs)}`).toBe(1);
      const winner = bought[0]!.body;
      expect(linesOf(winner.items), `${r.user} winner's lines`).toBe(`${MOUSE}×1,${KEYBOARD}×1`);
      expect(winner.total.amount_minor, `${r.user} winner's total`).toBe(price.get(MOUSE)! + price.get(KEYBOARD)!);
      const loser = r.tabs.find((t) => t.status !== 201)!;
      const refused =
        // Still running when the other tab looked: 409, naming the checkout that holds the lines.
        (isProblem(loser, 409, "checkout-in-progress") &&
          ((loser.body.held_by ?? []).includes(winner.checkout_id) || loser.body.checkout_id === winner.checkout_id)) ||
        // Already completed: nothing left in the cart to buy.
        isProblem(loser, 422, "cart-empty");
      expect(refused, `${r.user}: the other tab is refused: ${JSON.stringify(loser)}`).toBe(true);
    }
    for (const a of after) {
      expect(a.cart.items, `${a.user}'s cart once the consumer caught up`).toEqual([]);
      expect(
        a.orders.map((o: Json) => linesOf(o.items)),
        `${a.user}'s orders`,
      ).toEqual([`${MOUSE}×1,${KEYBOARD}×1`]);
    }
    expect(doubles, "units bought a second time").toBe(0);
  }, 360_000);
});
