import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "@checkout-saga/shared";
import { E2EFailure, runE2EScenario } from "./lib/e2e-scenario.js";

/**
 * `npm test`'s last stage: `npm start`'s own entry point, started fresh (temp data dir, free
 * ports, so it never collides with a running system), the e2e scenario against it, Ctrl-C,
 * then a second start on the same data to show the order survived and the system still works.
 */
const repoRoot = path.resolve(import.meta.dirname, "..");
const dataDir = await mkdtemp(path.join(os.tmpdir(), "checkout-saga-e2e-"));
const env: Record<string, string | undefined> = {
  ...process.env,
  DATA_DIR: dataDir,
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
};
for (const name of ["GATEWAY", "PRODUCT", "CART", "INVENTORY", "PAYMENT", "ORDERS", "CHECKOUT", "EMBEDDED_POSTGRES"]) {
  const port = String(await freePort());
  env[`${name}_PORT`] = port;
  if (name !== "GATEWAY" && name !== "EMBEDDED_POSTGRES") env[`${name}_URL`] = `http://127.0.0.1:${port}`;
}
const gatewayUrl = `http://127.0.0.1:${env.GATEWAY_PORT}`;

/** Starts the embedded system as `npm start` does and resolves once it printed its banner. */
async function start(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "scripts/start-embedded.ts")], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new E2EFailure(`npm start printed no gateway URL within 120 s:\n${output}`)),
      120_000,
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Gateway:")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new E2EFailure(`npm start exited with ${code} before it was ready:\n${output}`));
    });
  });
  child.stdout?.resume();
  return child;
}

/** Ctrl-C, as a user would; a clean stop exits 0. */
async function interrupt(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGINT");
  const code = await exited;
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
    system = await start();
    first = await runE2EScenario(gatewayUrl);
  });
  await check("Ctrl-C stops cleanly; after a restart the order is still there", async () => {
    if (!system || !first) throw new E2EFailure("the first scenario did not get far enough");
    await interrupt(system);
    system = await start();
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
