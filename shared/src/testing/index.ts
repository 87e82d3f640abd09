import { type ChildProcess, spawn } from "node:child_process";
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

/** What a finished command printed, and how it exited. */
export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a TypeScript entry point as `npm run` does (node with tsx), in `cwd`, with exactly `env`
 * plus PATH, to its end: what a CLI's tests assert on.
 */
export function runTypeScript(
  script: string,
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A service running as its own OS process, for crash drills. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** The port it chose and said it listens on. */
  readonly port: number;
  /** Resolves when the process has exited, with how. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What it printed lately (for failure messages). */
  output(): string;
  /** SIGTERM (a clean stop), SIGKILL if it is still there after `graceMs`; waits for the exit. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Runs a service entry point as production does: its own OS process (node with tsx), configured
 * by `env` only (plus PATH, HOME, info logs and service credentials off: drills are about
 * crashes). It listens on a port of its own choosing (`portVariable`=0, read back from the log
 * line `startedMessage`), so no other test can take the port between choosing and binding.
 * Resolves once it has started; fails with what it printed if it exits or is silent for 60 s.
 */
export async function startServiceProcess(options: {
  name: string;
  entry: string;
  cwd: string;
  portVariable: string;
  startedMessage: string;
  env: Record<string, string>;
}): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", options.entry], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      [options.portVariable]: "0",
      LOG_LEVEL: "info",
      RPC_CREDENTIALS: "off",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let startedOn: (port: number) => void = () => {};
  const started = new Promise<number>((resolve) => {
    startedOn = resolve;
  });
  const startedLine = new RegExp(`"port":(\\d+)[^\\n]*"msg":"${options.startedMessage}"`);
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    const port = startedLine.exec(output)?.[1];
    if (port) startedOn(Number(port));
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  let timer: NodeJS.Timeout | undefined;
  const port = await Promise.race([
    started,
    exited.then(() => {
      throw new Error(`the ${options.name} process exited while starting:\n${output}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the ${options.name} process did not start within 60 s:\n${output}`)),
        60_000,
      );
    }),
  ])
    .catch(async (err) => {
      await stop();
      throw err;
    })
    .finally(() => clearTimeout(timer));
  return { child, port, exited, output: () => output, stop };
}
