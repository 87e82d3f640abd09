import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "@checkout-saga/shared/dev";
import { createProgress, inStep } from "./lib/progress.js";

/**
 * One PostgreSQL server for the whole test run (each test file creates its own database).
 * TEST_DATABASE_URL, when given, points at an existing server instead.
 */
export default async function setup() {
  if (process.env.TEST_DATABASE_URL) return;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "checkout-saga-test-pg-"));
  const server = await inStep(
    createProgress(),
    "postgres",
    "starting the test run's server",
    () => startEmbeddedPostgres({ dataDir }),
    () => "the test run's server is ready",
  );
  process.env.TEST_DATABASE_URL = server.url("postgres");
  return async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
