import { access, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writePoisonEvent } from "../../checkout-service/test/outbox-fixture.js";
import { interruptEmbeddedProcess, isolatedEmbeddedEnv, startEmbeddedProcess } from "../lib/embedded-process.js";
import { eventually } from "../lib/eventually.js";
import { RestCustomer } from "../lib/rest-customer.js";
import { type SwitchableProxy, startSwitchableProxy } from "../lib/switchable-proxy.js";
import { TEST_ADDRESS } from "../lib/test-address.js";

/*
 * The saga inspector in a real browser (issue #16): Debian's chromium driven by playwright-core
 * against an embedded system started as `npm start` starts it. Checkouts are driven through
 * REST; the page is signed into with a dev admin token and read by the data attributes its
 * diagram carries. The services call each other over the network, the inventory service through
 * a proxy the test can take down: a compensation that keeps failing is flagged, seen on the page,
 * and retried from it once the inventory is back. Any console error or page error fails the test. Screenshots of every view go
 * to test-results/inspector/.
 */

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = path.resolve(import.meta.dirname, "../../test-results/inspector");

let system: Awaited<ReturnType<typeof startEmbeddedProcess>> | undefined;
let isolated: Awaited<ReturnType<typeof isolatedEmbeddedEnv>> | undefined;
let browser: Browser | undefined;
let inventory: SwitchableProxy | undefined;
let page: Page;
const consoleErrors: string[] = [];
const checkouts = { completed: "", declined: "" };
let customer: RestCustomer;

/** One checkout through REST: a Mouse in the cart, paid by `payment`; answers its id. */
async function checkout(customer: RestCustomer, payment: object, key: string): Promise<string> {
  expect((await customer.addItem("2")).status).toBe(201);
  const body = { payment_method: payment, shipping_address: TEST_ADDRESS };
  const r = await customer.call("POST", "/checkout", body, { "Idempotency-Key": key });
  expect([201, 202, 402]).toContain(r.status);
  return r.body.checkout_id as string;
}

beforeAll(async () => {
  await access(CHROMIUM).catch(() => {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run this test`);
  });
  await rm(SHOTS, { recursive: true, force: true });
  await mkdir(SHOTS, { recursive: true });
  isolated = await isolatedEmbeddedEnv("checkout-saga-inspector-", {
    RATE_LIMIT_PER_MINUTE: "0",
    EMBEDDED_RPC: "network",
    // A konbini voucher left unpaid expires in seconds, and its webhook turns the checkout back.
    KONBINI_EXPIRES_AFTER_SECONDS: "3",
    KONBINI_EXPIRY_SWEEP_INTERVAL_MS: "500",
    // Each failed undo counts (no open circuit or patience with an unreachable inventory pausing
    // it), and recovery leaves the flagged one to the operator.
    CHECKOUT_BREAKER_FAILURES: "1000",
    CHECKOUT_COMPENSATION_PATIENCE_MS: "0",
    CHECKOUT_ATTENTION_RETRY_MS: "600000",
  });
  inventory = await startSwitchableProxy(Number(isolated.env.INVENTORY_PORT));
  isolated.env.INVENTORY_URL = inventory.url;
  system = await startEmbeddedProcess(isolated.env);
  customer = new RestCustomer(`${isolated.gatewayUrl}/api/v1`, "inspected-customer");
  await customer.signIn();
  checkouts.completed = await checkout(customer, { type: "card", token: "tok_visa" }, "inspector-completed");
  checkouts.declined = await checkout(customer, { type: "card", token: "tok_chargeDeclined" }, "inspector-declined");

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (system) await interruptEmbeddedProcess(system);
  await inventory?.down();
  if (isolated) await rm(isolated.dataDir, { recursive: true, force: true });
});

const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/** Presses Tab until the focused element matches `selector`: reached by keyboard, as a user would. */
async function tabTo(selector: string) {
  for (let presses = 0; presses < 40; presses++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** The states and edges the diagram marks for the open saga. */
async function drawnPath() {
  const diagram = page.locator("svg.saga-diagram");
  await diagram.waitFor();
  return {
    visited: await diagram
      .locator(".state[data-visited]")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-state"))),
    current: await diagram.locator(".state[data-current]").getAttribute("data-state"),
    taken: await diagram.locator(".edge[data-taken]").evaluateAll((els) => els.map((e) => e.getAttribute("data-edge"))),
  };
}

describe("the saga inspector in Chromium", () => {
  it("signs in with a dev admin token and lists the checkouts", async () => {
    await page.goto(`${isolated?.gatewayUrl}/inspector/`);
    await shot("sign-in");
    await page.getByLabel("Operator name").fill("inspector-test");
    await page.getByRole("button", { name: "Sign in as admin" }).click();
    const rows = page.locator('table[data-list="checkouts"] tbody tr[data-id]');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    await shot("checkouts");
    expect(consoleErrors).toEqual([]);
  });

  it("opens a completed checkout and shows the path it took, ending in COMPLETED", async () => {
    await page.locator(`tr[data-id="${checkouts.completed}"] a`).click();
    await expect.poll(async () => (await drawnPath()).current, { timeout: 10_000 }).toBe("COMPLETED");
    const drawn = await drawnPath();
    expect(drawn.taken).toEqual(
      expect.arrayContaining([
        "INITIATED->LINES_CLAIMED",
        "PAYMENT_PENDING->PAYMENT_COMPLETED",
        "PAYMENT_COMPLETED->COMPLETED",
      ]),
    );
    expect(drawn.visited).not.toContain("COMPENSATING");
    await expect.poll(() => page.locator("table.history tbody tr").count()).toBeGreaterThan(3);
    const completedEvent = page.locator('table.events tr[data-event="CheckoutCompleted"][data-published]');
    await completedEvent.waitFor({ timeout: 10_000 });
    // The orders service consumed it: the order it created is shown.
    await completedEvent.locator("td[data-consumed]").waitFor({ timeout: 10_000 });
    // And the cart service did: the checkout's claim on the cart is settled.
    const cart = completedEvent.locator('td[data-cart="SETTLED"]');
    await cart.waitFor({ timeout: 10_000 });
    expect(await cart.textContent()).toMatch(/^settled at /);
    await shot("checkout-completed");

    // Sent again: the relay publishes it anew.
    await page.getByRole("button", { name: "Replay events" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Replay" }).click();
    await page.getByText("Requeued CheckoutCompleted for the relay.").waitFor();
    await completedEvent.waitFor({ timeout: 10_000 });
    expect(consoleErrors).toEqual([]);
  });

  it("opens a declined checkout and shows COMPENSATING → FAILED", async () => {
    await page.goto(`${isolated?.gatewayUrl}/inspector/#/checkouts/${checkouts.declined}`);
    await expect.poll(async () => (await drawnPath()).current, { timeout: 10_000 }).toBe("FAILED");
    const drawn = await drawnPath();
    expect(drawn.taken).toEqual(expect.arrayContaining(["PAYMENT_PENDING->COMPENSATING", "COMPENSATING->FAILED"]));
    expect(drawn.visited).not.toContain("COMPLETED");
    await page
      .locator('table.events tr[data-event="CheckoutFailed"] td[data-cart="RELEASED"]')
      .waitFor({ timeout: 10_000 });
    await expect(page.getByRole("button", { name: "Retry now" }).isVisible()).resolves.toBe(false);
    await shot("checkout-declined");
    expect(consoleErrors).toEqual([]);
  });

  it("flags a compensation that keeps failing while the inventory is down; Retry takes it to FAILED in place", async () => {
    const customer = new RestCustomer(`${isolated?.gatewayUrl}/api/v1`, "stuck-customer");
    await customer.signIn();
    expect((await customer.call("PATCH", "/cart", { currency: "JPY" })).status).toBe(200);
    const stuck = await checkout(customer, { type: "konbini", store: "lawson" }, "inspector-stuck");
    // Stock is reserved; the voucher expires unpaid, and releasing the stock finds no inventory service.
    await inventory?.down();

    await page.goto(`${isolated?.gatewayUrl}/inspector/#/checkouts`);
    await page.getByLabel("Needs attention only").check();
    await page.getByRole("button", { name: "Apply" }).click();
    const flagged = page.locator(`tr[data-id="${stuck}"][data-attention]`);
    await flagged.waitFor({ timeout: 60_000 });
    await shot("needs-attention");

    await inventory?.up();
    await flagged.locator("a").click();
    await expect.poll(async () => (await drawnPath()).current, { timeout: 10_000 }).toBe("COMPENSATING");
    // A marker on the page's global object: a reload would lose it.
    await page.evaluate("globalThis.notReloaded = true");
    await page.getByRole("button", { name: "Retry now" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Retry" }).click();
    await expect.poll(async () => (await drawnPath()).current, { timeout: 20_000 }).toBe("FAILED");
    expect(await page.evaluate("globalThis.notReloaded")).toBe(true);
    expect((await drawnPath()).taken).toContain("COMPENSATING->FAILED");
    await shot("retried-to-failed");
    expect(consoleErrors).toEqual([]);
  }, 120_000);

  it("opens a cancellation by keyboard alone; Escape leaves a confirmation without acting", async () => {
    const order = await eventually(
      async () =>
        (await customer.call("GET", "/orders")).body.items?.find(
          (o: { checkout_id: string }) => o.checkout_id === checkouts.completed,
        ),
      (o) => o !== undefined,
      10_000,
    );
    const cancelled = await customer.call(
      "POST",
      `/orders/${order.id}/cancel`,
      {},
      { "Idempotency-Key": "inspector-cancel" },
    );
    expect(cancelled.status).toBe(202);
    const cancellationId = cancelled.body.cancellation_id as string;

    await page.goto(`${isolated?.gatewayUrl}/inspector/#/cancellations`);
    await page.locator(`table[data-list="cancellations"] tr[data-id="${cancellationId}"]`).waitFor();
    await tabTo(`tr[data-id="${cancellationId}"] a`);
    await page.keyboard.press("Enter");
    await expect.poll(async () => (await drawnPath()).current, { timeout: 10_000 }).toBe("COMPLETED");
    expect(await page.locator("svg.saga-diagram").getAttribute("data-saga")).toBe("cancellation");
    expect((await drawnPath()).taken).toEqual(
      expect.arrayContaining(["REQUESTED->REFUNDED", "STOCK_RETURNED->COMPLETED"]),
    );
    // Its own event: the orders service wrote OrderCancelled, and its relay published it.
    await page.locator('table.events tr[data-event="OrderCancelled"][data-published]').waitFor({ timeout: 10_000 });
    await shot("cancellation");

    await page.goto(`${isolated?.gatewayUrl}/inspector/#/checkouts/${checkouts.completed}`);
    await page.locator("table.events tr[data-event]").first().waitFor();
    await tabTo("#replay-events");
    await page.keyboard.press("Enter");
    await expect(page.getByRole("dialog").isVisible()).resolves.toBe(true);
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByRole("dialog").isVisible()).toBe(false);
    expect(await page.evaluate("document.activeElement?.id")).toBe("replay-events");
    expect(consoleErrors).toEqual([]);
  });

  it("shows both outboxes and the dead letters; Republish sends a poison event back, and it is parked again", async () => {
    const sql = postgres(isolated!.databaseUrl("checkout"), { max: 1, onnotice: () => {} });
    const poison = await writePoisonEvent(sql, "inspected-poison").finally(() => sql.end());
    await page.getByRole("link", { name: "Outbox" }).click();
    await expect.poll(() => page.locator("[data-outbox]").count(), { timeout: 10_000 }).toBe(2);
    const parked = page.locator(`table.dead-letters tr[data-event-id="${poison.eventId}"]`);
    // The dead letters are not polled (reading them reads the whole dead-letter topic): the page
    // is asked to read them again until the poison event is parked.
    const parkedAfterRefresh = async () => {
      await page.getByRole("button", { name: "Refresh dead letters" }).click();
      await page.locator("#refresh-dead-letters:enabled").waitFor();
      return parked.count();
    };
    await expect.poll(parkedAfterRefresh, { timeout: 30_000, interval: 500 }).toBeGreaterThan(0);
    const groups = await parked.count();
    await shot("outbox");

    await page.locator("#republish-dead-letters").click();
    await page.getByRole("dialog").getByRole("button", { name: "Republish" }).click();
    // Still poison: each group that parked it ran it again, and parked it again.
    await expect
      .poll(() => page.locator("#view p.message").textContent(), { timeout: 30_000 })
      .toBe(`Republished ${groups} dead letter(s).`);
    await expect.poll(parkedAfterRefresh, { timeout: 10_000, interval: 500 }).toBe(groups);
    expect(consoleErrors).toEqual([]);
  });

  it("stays readable on a narrow window", async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    await page.goto(`${isolated?.gatewayUrl}/inspector/#/checkouts/${checkouts.declined}`);
    await expect.poll(async () => (await drawnPath()).current, { timeout: 10_000 }).toBe("FAILED");
    // Strings, run in the page: this file is type-checked without the DOM's types.
    const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
    expect(overflow).toBeLessThanOrEqual(0);
    await shot("checkout-declined-narrow");
    expect(consoleErrors).toEqual([]);
  });
});
