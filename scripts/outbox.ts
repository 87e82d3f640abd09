import path from "node:path";
import { runOutboxCliProcess } from "../checkout-service/src/outbox/cli/outbox-cli.js";
import { findLocalSystem } from "./lib/local-system.js";

/** `npm run outbox`: the outbox CLI, on the env's settings or else on the running local system's. */
const repoRoot = path.resolve(import.meta.dirname, "..");
await runOutboxCliProcess(() => findLocalSystem(process.env, repoRoot));
