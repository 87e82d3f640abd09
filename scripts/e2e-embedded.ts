import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "@checkout-saga/shared";
import { type EmbeddedSystem, startEmbeddedSystem } from "./embedded.js";
import { E2EFailure, runE2EScenario } from "./lib/e2e-scenario.js";

/**
 * `npm test`'s last stage: a freshly started embedded system (temp data dir, free ports, so
 * it never collides with a running `npm start`), the e2e scenario against it, then a restart
 * on the same data to show the order survived.
 */
const dataDir = await mkdtemp(path.join(os.tmpdir(), "checkout-saga-e2e-"));
const ports: Record<string, string> = {};
for (const name of ["GATEWAY", "PRODUCT", "CART", "INVENTORY", "PAYMENT", "ORDERS", "CHECKOUT", "EMBEDDED_POSTGRES"]) {
  ports[`${name}_PORT`] = String(await freePort());
}
const env = {
  ...process.env,
  ...ports,
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  PRODUCT_URL: `http://127.0.0.1:${ports.PRODUCT_PORT}`,
  CART_URL: `http://127.0.0.1:${ports.CART_PORT}`,
  INVENTORY_URL: `http://127.0.0.1:${ports.INVENTORY_PORT}`,
  PAYMENT_URL: `http://127.0.0.1:${ports.PAYMENT_PORT}`,
  ORDERS_URL: `http://127.0.0.1:${ports.ORDERS_PORT}`,
  CHECKOUT_URL: `http://127.0.0.1:${ports.CHECKOUT_PORT}`,
};

let system: EmbeddedSystem | undefined;
let passed = 0;
let failed = 0;
const check = async (name: string, fn: () => Promise<void>) => {
  console.log(`\n== ${name}`);
  try {
    await fn();
    passed++;
  } catch (err) {
    failed++;
    console.error(`✘ ${err instanceof E2EFailure ? err.message : (err as Error).stack}`);
  }
};

try {
  let first: Awaited<ReturnType<typeof runE2EScenario>> | undefined;
  await check("e2e scenario on a fresh embedded system", async () => {
    system = await startEmbeddedSystem({ dataDir, env });
    first = await runE2EScenario(system.gatewayUrl);
  });
  await check("the order survives a restart of the whole system", async () => {
    await system?.stop();
    system = await startEmbeddedSystem({ dataDir, env });
    if (!first) throw new E2EFailure("restart: the first scenario did not produce an order");
    const res = await fetch(`${system.gatewayUrl}/api/v1/orders/${first.orderId}`, {
      headers: { authorization: `Bearer ${first.token}` },
    });
    if (res.status !== 200) throw new E2EFailure(`restart: GET /orders/${first.orderId} → ${res.status}, expected 200`);
    console.log("✔ order still there after restart");
  });
  await check("e2e scenario again after the restart", async () => {
    if (!system) throw new E2EFailure("no system");
    await runE2EScenario(system.gatewayUrl);
  });
} finally {
  await system?.stop().catch((err) => console.error("stop failed:", err));
  await rm(dataDir, { recursive: true, force: true });
}
console.log(`\ne2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
