import { runOutboxCliProcess } from "./outbox-cli.js";

// The CLI on settings from env only (a container, a production host); `npm run outbox` runs
// scripts/outbox.ts, which also finds a running local system.
await runOutboxCliProcess();
