import { access, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interruptEmbeddedProcess, isolatedEmbeddedEnv, startEmbeddedProcess } from "../lib/embedded-process.js";

/*
 * The API reference at /docs in a real browser (issue #16): Debian's chromium driven by
 * playwright-core against an embedded system started as `npm start` starts it. It shows every
 * operation of the served document, loads nothing from anywhere but the gateway, and sends a
 * request with the bearer token given to Authorize. Any console or page error fails the test.
 */

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = path.resolve(import.meta.dirname, "../../test-results/api-docs");

let system: Awaited<ReturnType<typeof startEmbeddedProcess>> | undefined;
let isolated: Awaited<ReturnType<typeof isolatedEmbeddedEnv>> | undefined;
let browser: Browser | undefined;
let page: Page;
const consoleErrors: string[] = [];
const requestedUrls: string[] = [];

beforeAll(async () => {
  await access(CHROMIUM).catch(() => {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run this test`);
  });
  await mkdir(SHOTS, { recursive: true });
  isolated = await isolatedEmbeddedEnv("checkout-saga-api-docs-", { RATE_LIMIT_PER_MINUTE: "0" });
  system = await startEmbeddedProcess(isolated.env);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  page.on("request", (r) => requestedUrls.push(r.url()));
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (system) await interruptEmbeddedProcess(system);
  if (isolated) await rm(isolated.dataDir, { recursive: true, force: true });
});

describe("the API reference in Chromium", () => {
  it("shows every operation of the served document, from files of the gateway only", async () => {
    const gateway = isolated!.gatewayUrl;
    const document = (await (await fetch(`${gateway}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    const operations = Object.values(document.paths).flatMap((p) => Object.values(p)).length;
    await page.goto(`${gateway}/docs`);
    await page.locator(".opblock").first().waitFor();
    expect(await page.locator(".opblock").count()).toBe(operations);
    const elsewhere = requestedUrls.filter((u) => !u.startsWith(gateway) && !u.startsWith("data:"));
    expect(elsewhere).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, "operations.png") });
  });

  it("sends a request with the token given to Authorize, and shows the answer", async () => {
    const res = await fetch(`${isolated!.gatewayUrl}/api/v1/dev/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user_id: "docs-reader" }),
    });
    const { token } = (await res.json()) as { token: string };
    await page.locator(".btn.authorize").first().click();
    await page.locator(".modal-ux input").first().fill(token);
    await page.locator(".modal-ux .auth-btn-wrapper .authorize").first().click();
    await page.locator(".modal-ux .btn-done, .modal-ux .close-modal").first().click();

    const getCart = page.locator("#operations-cart-getCart");
    await getCart.locator(".opblock-summary").click();
    await getCart.locator(".try-out__btn").click();
    const answered = page.waitForResponse((r) => r.url().endsWith("/api/v1/cart") && r.request().method() === "GET");
    await getCart.locator(".execute").click();
    const response = await answered;
    expect(response.status()).toBe(200);
    expect(response.request().headers().authorization).toBe(`Bearer ${token}`);
    await expect
      .poll(() => getCart.locator(".live-responses-table tbody .response-col_status").first().textContent())
      .toContain("200");
    await page.screenshot({ path: path.join(SHOTS, "try-it-out.png"), fullPage: false });
    expect(consoleErrors).toEqual([]);
  });
});
