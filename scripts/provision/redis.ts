import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { freePort } from "@checkout-saga/shared/dev";
import { ProvisionError } from "./provision-error.js";
import type { ProvisionResult } from "./provision-result.js";
import { assertPortFree, spawnServer, waitUntilReady } from "./server-process.js";
import { findTool, runTool } from "./tools.js";

/**
 * Makes sure `redis-server` is on this machine, installing Debian's package when it is not
 * (the package is not started by the install; we run our own). `apt-get update` runs only
 * when the install fails, so a warm machine makes no network call.
 */
export async function installRedis(): Promise<ProvisionResult> {
  const existing = findTool("redis-server");
  if (existing) return { what: "redis-server", installed: false, location: existing };
  const aptGet = findTool("apt-get");
  if (!aptGet) {
    throw new ProvisionError(
      "redis-server is missing and apt-get is not available: install Redis 7 (redis-server) with the system's package manager, or set REDIS_URL",
    );
  }
  if (process.getuid?.() !== 0) {
    throw new ProvisionError(
      "redis-server is missing and installing it needs root: run `sudo apt-get install -y redis-server`, or set REDIS_URL",
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () =>
    runTool(aptGet, ["install", "-y", "-q", "redis-server"], { env, what: "apt-get install redis-server" });
  try {
    await install();
  } catch {
    await runTool(aptGet, ["update", "-q"], { env, what: "apt-get update" });
    await install();
  }
  const installed = findTool("redis-server");
  if (!installed) throw new ProvisionError("apt-get installed redis-server but it is not on PATH");
  return { what: "redis-server", installed: true, location: installed };
}

export interface RunningRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * A Redis server of our own, in the foreground as our child, with persistence off (it is a
 * cache and rate-limit store). `port` defaults to a free one.
 */
export async function startRedis(options: {
  port?: number;
  dataDir: string;
  readyTimeoutMs?: number;
}): Promise<RunningRedis> {
  const { location } = await installRedis();
  const port = options.port ?? (await freePort());
  await assertPortFree(port, "redis");
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const logFile = path.join(dataDir, "redis.log");
  const server = spawnServer({
    name: "redis",
    command: location,
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      "--dir",
      dataDir,
      "--logfile",
      "",
    ],
    logFile,
  });
  await waitUntilReady(server, () => pingRedis(port), { timeoutMs: options.readyTimeoutMs ?? 15_000, logFile });
  return { url: `redis://127.0.0.1:${port}`, port, stop: () => server.stop() };
}

/** One RESP PING on a raw socket: no client library, so no reconnect loop to tear down. */
function pingRedis(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.setTimeout(1_000);
    let reply = "";
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (!reply.includes("\r\n")) return;
      socket.destroy();
      if (reply.startsWith("+PONG")) resolve();
      else reject(new Error(`unexpected reply ${JSON.stringify(reply.trim())}`));
    });
    socket.once("timeout", () => socket.destroy(new Error("no reply to PING")));
    socket.once("error", reject);
  });
}
