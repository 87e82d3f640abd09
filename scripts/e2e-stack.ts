import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "@checkout-saga/shared";
import { E2EFailure, runE2EScenario } from "./lib/e2e-scenario.js";

/**
 * `npm test`'s production-mode stage: `npm run stack -- up` on free ports in a temp state
 * dir (so it never collides with a running stack), the same e2e scenario as against
 * `npm start`, then `down`. The servers are real: PostgreSQL, Redis, Kafka, FerretDB.
 */
const repoRoot = path.resolve(import.meta.dirname, "..");
const stackDir = await mkdtemp(path.join(os.tmpdir(), "checkout-saga-stack-"));
const env: Record<string, string | undefined> = {
  ...process.env,
  STACK_DIR: stackDir,
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
};
for (const name of [
  "GATEWAY_PORT",
  "PRODUCT_PORT",
  "CART_PORT",
  "INVENTORY_PORT",
  "PAYMENT_PORT",
  "ORDERS_PORT",
  "CHECKOUT_PORT",
  "PRODUCT_ADMIN_PORT",
  "CART_ADMIN_PORT",
  "INVENTORY_ADMIN_PORT",
  "PAYMENT_ADMIN_PORT",
  "ORDERS_ADMIN_PORT",
  "CHECKOUT_ADMIN_PORT",
  "STACK_POSTGRES_PORT",
  "STACK_REDIS_PORT",
  "STACK_KAFKA_PORT",
  "STACK_KAFKA_CONTROLLER_PORT",
  "STACK_FERRETDB_PORT",
]) {
  env[name] = String(await freePort());
}
const stack = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", path.join(repoRoot, "scripts/stack.ts"), ...args], {
    cwd: repoRoot,
    env,
    stdio: "inherit",
  });

let passed = 0;
let failed = 0;
try {
  console.log("\n== npm run stack -- up (production mode, real servers)");
  const up = stack("up");
  if (up.status !== 0)
    throw new E2EFailure(`stack up exited with ${up.status}; logs in ${path.join(stackDir, "logs")}`);
  console.log("\n== e2e scenario against the stack");
  await runE2EScenario(`http://127.0.0.1:${env.GATEWAY_PORT}`);
  passed++;
} catch (err) {
  failed++;
  console.error(`✘ ${err instanceof E2EFailure ? err.message : err instanceof Error ? err.stack : String(err)}`);
  spawnSync("sh", ["-c", `tail -n 20 ${path.join(stackDir, "logs")}/*.log`], { stdio: "inherit" });
} finally {
  stack("down");
  await rm(stackDir, { recursive: true, force: true });
}
console.log(`\ne2e (stack): ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
