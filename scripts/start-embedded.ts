import path from "node:path";
import { ConfigError } from "@checkout-saga/shared";
import { startEmbeddedSystem } from "./embedded.js";
import { removeEmbeddedState, writeEmbeddedState } from "./lib/embedded-state.js";
import { credentialBanner } from "./lib/rpc-credential-flags.js";

/** `npm start`: the whole system in embedded mode, data under .data/, Ctrl-C stops it. */
const dataDir = process.env.DATA_DIR ?? ".data";
let system: Awaited<ReturnType<typeof startEmbeddedSystem>>;
try {
  system = await startEmbeddedSystem({ dataDir, env: process.env });
} catch (err) {
  if (err instanceof ConfigError) console.error(`configuration error: ${err.message}`);
  else console.error("failed to start:", err);
  process.exit(1);
}

const url = system.gatewayUrl;
// Tools run beside it (npm run outbox) find it by this file.
await writeEmbeddedState(dataDir, {
  pid: process.pid,
  gatewayUrl: url,
  checkoutDatabaseUrl: system.databaseUrl("checkout"),
});
// Off by default here (loopback, one process): buf curl works as it is. On, it needs these.
let credentials = "";
if (system.rpcCredentials) {
  const { keysDir, services } = system.rpcCredentials;
  const relative = path.relative(process.cwd(), keysDir);
  const flag = ` --keys-dir ${relative.startsWith("..") ? keysDir : relative}`;
  credentials = `${await credentialBanner(keysDir, services, flag)}\n\n`;
}
console.log(`
checkout-saga is running in embedded mode (data in ${dataDir}/).

  Gateway: ${url}/api/v1
  API reference: ${url}/docs (get a token from POST /api/v1/dev/token there, then Authorize)
  Health and metrics: ${Object.entries(system.adminUrls)
    .filter(([name]) => name !== "gateway")
    .map(([name, admin]) => `${name.replace(/-service$/, "")} ${admin}`)
    .join(", ")}
    (GET /health/ready, /metrics; the gateway's at ${url}/health/ready and ${url}/metrics)

Try it:
  TOKEN=$(curl -s -X POST ${url}/api/v1/dev/token -H 'content-type: application/json' -d '{"user_id":"alice"}' | sed -E 's/.*"token":"([^"]+)".*/\\1/')
  curl -s -X POST ${url}/api/v1/cart/items -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"product_id":"2","quantity":1}'
  curl -s -X POST ${url}/api/v1/checkout -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -H "Idempotency-Key: order-$(date +%s)" \\
    -d '{"payment_method":{"type":"card","token":"tok_visa"},"shipping_address":{"name":"Alice","phone":"+81-3-0000-0000","postal_code":"100-0001","region":"Tokyo","city":"Chiyoda","line1":"1-1 Chiyoda","country":"JP"}}'

${credentials}Or run the end-to-end script in another shell:  npm run e2e
Ctrl-C stops everything.
`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  removeEmbeddedState(dataDir);
  try {
    await system.stop();
    process.exit(0);
  } catch (err) {
    console.error("stop failed:", err);
    process.exit(1);
  }
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
