import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { createLogger, type Logger } from "../logger.js";
import type { RpcCredentialSettings } from "../trust/rpc-credential-settings.js";

/**
 * A fresh, empty database on the test PostgreSQL server (started once per run by the
 * root vitest global setup, or given by TEST_DATABASE_URL). Each test file gets its own.
 */
export async function createTestDatabase(prefix: string): Promise<string> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error("TEST_DATABASE_URL is not set: run tests through vitest with the root config");
  const name = `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A logger that stays quiet unless TEST_LOG_LEVEL asks for output. */
export function testLogger(name = "test"): Logger {
  return createLogger(name, { level: process.env.TEST_LOG_LEVEL ?? "silent" });
}

/** Service credentials off, as in embedded mode: for a config built by hand in a test that is not about them. */
export const CREDENTIALS_OFF: RpcCredentialSettings = { required: false };

/** Keeps finished spans in memory: pass one to `startTracing` to assert on what was traced. */
export { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
export { createTestRpcTrust } from "./test-rpc-trust.js";
