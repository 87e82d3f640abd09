import type { ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { E2E_SYSTEM_SETTINGS, E2EFailure, runE2EScenario } from "./lib/e2e-scenario.js";
import { interruptEmbeddedProcess, isolatedEmbeddedEnv, startEmbeddedProcess } from "./lib/embedded-process.js";

/**
 * `npm test`'s last stage: `npm start`'s own entry point, started fresh (temp data dir, free
 * ports, so it never collides with a running system), the e2e scenario against it, Ctrl-C,
 * then a second start on the same data to show the order survived and the system still works.
 */
const { dataDir, env, gatewayUrl } = await isolatedEmbeddedEnv("checkout-saga-e2e-", E2E_SYSTEM_SETTINGS);

/** A clean stop after Ctrl-C exits 0. */
async function interrupt(child: ChildProcess): Promise<void> {
  const code = await interruptEmbeddedProcess(child);
  if (code !== 0) throw new E2EFailure(`npm start exited with ${code} after Ctrl-C, expected a clean stop (0)`);
}

let system: ChildProcess | undefined;
let passed = 0;
let failed = 0;
const check = async (name: string, fn: () => Promise<void>) => {
  console.log(`\n== ${name}`);
  try {
    await fn();
    passed++;
  } catch (err) {
    failed++;
    console.error(`✘ ${err instanceof E2EFailure ? err.message : err instanceof Error ? err.stack : String(err)}`);
  }
};

try {
  let first: Awaited<ReturnType<typeof runE2EScenario>> | undefined;
  await check("e2e scenario on a freshly started embedded system", async () => {
    system = await startEmbeddedProcess(env);
    first = await runE2EScenario(gatewayUrl);
  });
  await check("Ctrl-C stops cleanly; after a restart the order is still there", async () => {
    if (!system || !first) throw new E2EFailure("the first scenario did not get far enough");
    await interrupt(system);
    system = await startEmbeddedProcess(env);
    const res = await fetch(`${gatewayUrl}/api/v1/orders/${first.orderId}`, {
      headers: { authorization: `Bearer ${first.token}` },
    });
    if (res.status !== 200)
      throw new E2EFailure(`GET /orders/${first.orderId} after restart → ${res.status}, expected 200`);
    console.log("✔ order still there after restart");
  });
  await check("e2e scenario again on the restarted system", async () => {
    await runE2EScenario(gatewayUrl);
  });
} finally {
  if (system) await interrupt(system).catch((err) => console.error(String(err)));
  await rm(dataDir, { recursive: true, force: true });
}
console.log(`\ne2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
