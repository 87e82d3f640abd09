import { spawnSync } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { E2E_SYSTEM_SETTINGS, E2EFailure, runE2EScenario } from "./lib/e2e-scenario.js";
import { checkStackCredentials } from "./lib/stack-credential-checks.js";
import { isolatedStackEnv } from "./lib/stack-process.js";

/**
 * `npm test`'s production-mode stage: `npm run stack -- up` on free ports in a temp state
 * dir (so it never collides with a running stack), the same e2e scenario as against
 * `npm start`, the service credentials every port demands (checked here, on the stack this
 * stage starts anyway), then `down`. The servers are real: PostgreSQL, Redis, Kafka, FerretDB.
 */
const repoRoot = path.resolve(import.meta.dirname, "..");
const { stackDir, env, gatewayUrl } = await isolatedStackEnv("checkout-saga-stack-", E2E_SYSTEM_SETTINGS);
const stack = (command: string, stdout: "inherit" | "pipe" = "inherit", args: string[] = []) =>
  spawnSync(process.execPath, ["--import", "tsx", path.join(repoRoot, "scripts/stack.ts"), command, ...args], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", stdout, "inherit"],
  });

let passed = 0;
let failed = 0;
try {
  console.log("\n== npm run stack -- up (production mode, real servers)");
  // Its output is read too: the buf curl flags it prints are checked below.
  const up = stack("up", "pipe");
  const upOutput = up.stdout?.toString() ?? "";
  process.stdout.write(upOutput);
  if (up.status !== 0)
    throw new E2EFailure(`stack up exited with ${up.status}; logs in ${path.join(stackDir, "logs")}`);
  console.log("\n== e2e scenario against the stack");
  const { userId } = await runE2EScenario(gatewayUrl);
  passed++;
  console.log("\n== the orders service's events on Kafka (stack console-consumer --topic order-events)");
  // The scenario cancelled an order line by line: its OrderCancelled and OrderStatusChanged
  // events went out through the orders outbox, keyed by the user. The tool prints a line per
  // event: its headers (event-type among them), a tab, its key.
  const consumed = stack("console-consumer", "pipe", ["--topic", "order-events"]);
  const userEvents = (consumed.stdout?.toString() ?? "").split("\n").filter((line) => line.endsWith(`\t${userId}`));
  const cancelled = userEvents.filter((line) => line.includes("event-type:OrderCancelled,")).length;
  const changed = userEvents.filter((line) => line.includes("event-type:OrderStatusChanged,")).length;
  if (cancelled < 2 || changed < 1) {
    throw new E2EFailure(
      `order-events holds ${cancelled} OrderCancelled and ${changed} OrderStatusChanged for ${userId}, expected 2 and at least 1`,
    );
  }
  console.log(`✔ order-events: ${cancelled} OrderCancelled and ${changed} OrderStatusChanged for ${userId}`);
  passed++;
  console.log("\n== service credentials on every port of the stack");
  await checkStackCredentials({ env, upOutput });
  passed++;
} catch (err) {
  failed++;
  console.error(`✘ ${err instanceof E2EFailure ? err.message : err instanceof Error ? err.stack : String(err)}`);
  spawnSync("sh", ["-c", `tail -n 20 ${path.join(stackDir, "logs")}/*.log`], { stdio: "inherit" });
} finally {
  stack("down");
  // A server may still be flushing its last log lines as `down` returns: retry a non-empty dir.
  await rm(stackDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}
console.log(`\ne2e (stack): ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
