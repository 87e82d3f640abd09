import { parseArgs } from "node:util";
import { E2EFailure, runE2EScenario } from "./lib/e2e-scenario.js";

const usage = `usage: npm run e2e -- [--base-url URL]

Runs the end-to-end scenario against a running system (npm start, or npm run stack -- up):
token → cart → checkout → order → cart emptied → idempotent replay → cancel a line (refund, stock
back) → cancel the rest (CANCELLED) → a shipped order refused (409) → declined payment →
JPY with tax per rate → konbini paid later (202, dev route, COMPLETED) → konbini expired
(FAILED, stock back; only where KONBINI_EXPIRES_AFTER_SECONDS is 20 or less, else skipped) →
points (a JPY order earns 132, the next redeems 100 and earns 131, a declined card gives its 50
back to the same lots, too many points 422, cancelling gives the 100 back and takes the 131).
Exits 0 when every expectation holds, 1 at the first broken one (and says which), 2 on bad arguments.

  --base-url URL   the gateway (default http://127.0.0.1:8080, or E2E_BASE_URL)
  -h, --help       this text`;

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({ options: { "base-url": { type: "string" }, help: { type: "boolean", short: "h" } } });
}
try {
  args = parse();
} catch (err) {
  console.error(`${(err as Error).message}\n\n${usage}`);
  process.exit(2);
}
if (args.values.help) {
  console.log(usage);
  process.exit(0);
}
const baseUrl = args.values["base-url"] ?? process.env.E2E_BASE_URL ?? "http://127.0.0.1:8080";
try {
  await runE2EScenario(baseUrl);
} catch (err) {
  console.error(`✘ ${err instanceof E2EFailure ? err.message : String(err)}`);
  process.exit(1);
}
