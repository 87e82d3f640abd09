import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { freePort } from "@checkout-saga/shared/dev";
import { readStackCredentials } from "../stack/infra-credentials.js";
import { type DatabaseName, SERVICES } from "../stack/topology.js";
import { roleDatabaseUrl, stackDirOf, stackPorts, superuserDatabaseUrl } from "../stack/wiring.js";

const repoRoot = path.resolve(import.meta.dirname, "../..");

/** The servers' port settings of `npm run stack`. */
const SERVER_PORT_VARS = [
  "STACK_POSTGRES_PORT",
  "STACK_REDIS_PORT",
  "STACK_KAFKA_PORT",
  "STACK_KAFKA_CONTROLLER_PORT",
  "STACK_FERRETDB_PORT",
];

type StackEnv = Record<string, string | undefined>;

/**
 * Settings for a stack that collides with nothing: its own temp state dir and a free port for
 * every service, admin endpoint and server. `extra` is applied last.
 */
export async function isolatedStackEnv(prefix: string, extra: Record<string, string> = {}) {
  const stackDir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const env: StackEnv = {
    ...process.env,
    STACK_DIR: stackDir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  };
  const portVars = [...SERVICES.flatMap((s) => [s.portVar, s.adminPortVar]), ...SERVER_PORT_VARS];
  for (const name of new Set(portVars)) env[name] = String(await freePort());
  Object.assign(env, extra);
  return { stackDir, env, gatewayUrl: `http://127.0.0.1:${env.GATEWAY_PORT}` };
}

/** Runs `npm run stack -- <args>` against the stack `env` describes; resolves with its exit code and output. */
export function runStack(env: StackEnv, ...args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "scripts/stack.ts"), ...args], {
      cwd: repoRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, output }));
  });
}

/** A stack started for a test: its settings, `npm run stack -- …` against it, and its stop. */
export interface IsolatedStack {
  env: StackEnv;
  stackDir: string;
  gatewayUrl: string;
  run(...args: string[]): Promise<{ code: number | null; output: string }>;
  /** `stack down`, then the temp state dir goes. */
  stop(): Promise<void>;
}

/**
 * `isolatedStackEnv` + `stack up`. A failed start stops what it started and throws with the
 * tail of every process's log (they go with the temp dir).
 */
export async function startIsolatedStack(prefix: string, extra: Record<string, string> = {}): Promise<IsolatedStack> {
  const { stackDir, env, gatewayUrl } = await isolatedStackEnv(prefix, extra);
  const run = (...args: string[]) => runStack(env, ...args);
  const stop = async () => {
    await run("down");
    // A server may still be flushing its last log lines as `down` returns: retry a non-empty dir.
    await rm(stackDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  };
  const up = await run("up");
  if (up.code !== 0) {
    const tails = await stackLogTails(stackDir);
    await stop();
    throw new Error(`stack up exited with ${up.code}:\n${up.output}\n${tails}`);
  }
  return { env, stackDir, gatewayUrl, run, stop };
}

/** The last `lines` lines of every process log of the stack, each under its file name. */
export async function stackLogTails(stackDir: string, lines = 15): Promise<string> {
  const logs = await readdir(path.join(stackDir, "logs")).catch(() => []);
  const tails = await Promise.all(
    logs.map(async (f) => {
      const text = await readFile(path.join(stackDir, "logs", f), "utf8").catch(() => "");
      return `--- ${f}\n${text.split("\n").slice(-lines).join("\n")}`;
    }),
  );
  return tails.join("\n");
}

/**
 * The URL of one of the stack's databases as its service connects (its role, which owns every
 * table there), as the supervisor wires it; a URL given by env wins.
 */
export function stackDatabaseUrl(env: StackEnv, db: DatabaseName): string {
  const given = env[`${db.toUpperCase()}_DATABASE_URL`];
  if (given) return given;
  return roleDatabaseUrl(db, readStackCredentials(stackDirOf(env, repoRoot)), stackPorts(env));
}

/** A database of the stack's PostgreSQL as its superuser (server-wide statistics, provisioning checks). */
export function stackSuperuserUrl(env: StackEnv, db: string): string {
  return superuserDatabaseUrl(db, readStackCredentials(stackDirOf(env, repoRoot)), stackPorts(env));
}

/**
 * Waits until the service reports itself ready (GET /health/ready on its admin port answers
 * 200); `stack start` returns as soon as its port opens, which is earlier.
 */
export async function waitUntilReady(env: StackEnv, name: string, timeoutMs: number): Promise<boolean> {
  const spec = SERVICES.find((s) => s.name === name);
  if (!spec) throw new Error(`no service named ${name}`);
  const port = Number(env[spec.adminPortVar] ?? spec.adminPort);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready(port)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function ready(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/health/ready", timeout: 3_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once("timeout", () => req.destroy());
    req.once("error", () => resolve(false));
  });
}
