import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "@checkout-saga/shared/dev";
import { SERVICES } from "../stack/topology.js";

/** The servers' port settings of `npm run stack`. */
const SERVER_PORT_VARS = [
  "STACK_POSTGRES_PORT",
  "STACK_REDIS_PORT",
  "STACK_KAFKA_PORT",
  "STACK_KAFKA_CONTROLLER_PORT",
  "STACK_FERRETDB_PORT",
];

/**
 * Settings for a stack that collides with nothing: its own temp state dir and a free port for
 * every service, admin endpoint and server. `extra` is applied last.
 */
export async function isolatedStackEnv(prefix: string, extra: Record<string, string> = {}) {
  const stackDir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const env: Record<string, string | undefined> = {
    ...process.env,
    STACK_DIR: stackDir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  };
  const portVars = [...SERVICES.flatMap((s) => [s.portVar, s.adminPortVar]), ...SERVER_PORT_VARS];
  for (const name of new Set(portVars)) env[name] = String(await freePort());
  Object.assign(env, extra);
  return { stackDir, env, gatewayUrl: `http://127.0.0.1:${env.GATEWAY_PORT}` };
}
