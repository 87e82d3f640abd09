import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "@checkout-saga/shared/dev";

const repoRoot = path.resolve(import.meta.dirname, "../..");

/** Settings for an embedded system that collides with nothing: its own temp data dir and free ports. */
export async function isolatedEmbeddedEnv(prefix: string, extra: Record<string, string> = {}) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    ...extra,
  };
  for (const name of [
    "GATEWAY",
    "PRODUCT",
    "CART",
    "INVENTORY",
    "PAYMENT",
    "ORDERS",
    "CHECKOUT",
    "EMBEDDED_POSTGRES",
  ]) {
    const port = String(await freePort());
    env[`${name}_PORT`] = port;
    if (name !== "GATEWAY" && name !== "EMBEDDED_POSTGRES") {
      env[`${name}_URL`] = `http://127.0.0.1:${port}`;
      env[`${name}_ADMIN_PORT`] = String(await freePort());
    }
  }
  return {
    dataDir,
    env,
    gatewayUrl: `http://127.0.0.1:${env.GATEWAY_PORT}`,
    databaseUrl: (db: string) => `postgres://postgres:postgres@127.0.0.1:${env.EMBEDDED_POSTGRES_PORT}/${db}`,
  };
}

/**
 * Starts the embedded system exactly as `npm start` does, with `nodeArgs` for node itself (a
 * profiler's flags); resolves once it printed its banner.
 */
export async function startEmbeddedProcess(
  env: Record<string, string | undefined>,
  nodeArgs: string[] = [],
): Promise<ChildProcess> {
  const args = [...nodeArgs, "--import", "tsx", path.join(repoRoot, "scripts/start-embedded.ts")];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A start that hangs must not outlive the caller and keep its ports bound.
      child.kill("SIGKILL");
      reject(new Error(`npm start printed no gateway URL within 120 s:\n${output}`));
    }, 120_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Gateway:")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code} before it was ready:\n${output}`));
    });
  });
  child.stdout?.resume();
  return child;
}

/** Ctrl-C, as a user would; resolves with the exit code. */
export async function interruptEmbeddedProcess(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGINT");
  return exited;
}
