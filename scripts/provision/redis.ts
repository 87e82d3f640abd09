import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { freePort } from "@checkout-saga/shared/dev";
import { createProgress, inStep, type Progress } from "../lib/progress.js";
import { ProvisionError } from "./provision-error.js";
import type { ProvisionResult } from "./provision-result.js";
import { writePrivateFile } from "./secrets-file.js";
import { assertPortFree, spawnServer, waitUntilReady } from "./server-process.js";
import { findTool, runTool } from "./tools.js";

/**
 * Makes sure `redis-server` is on this machine, installing Debian's package when it is not
 * (the package is not started by the install; we run our own). `apt-get update` runs only
 * when the install fails, so a warm machine makes no network call.
 */
export async function installRedis(progress: Progress = createProgress()): Promise<ProvisionResult> {
  const existing = findTool("redis-server");
  if (existing) {
    progress.cached("redis", `redis-server at ${existing}`);
    return { what: "redis-server", installed: false, location: existing };
  }
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
  await inStep(progress, "redis", "installing redis-server (apt-get install)", async (step) => {
    try {
      await install();
    } catch {
      step.update({ text: "refreshing the package lists (apt-get update), then installing redis-server" });
      await runTool(aptGet, ["update", "-q"], { env, what: "apt-get update" });
      await install();
    }
  });
  const installed = findTool("redis-server");
  if (!installed) throw new ProvisionError("apt-get installed redis-server but it is not on PATH");
  return { what: "redis-server", installed: true, location: installed };
}

/** A Redis ACL user: its password and the key patterns (`cart:*`) it may touch. */
export interface RedisUser {
  name: string;
  password: string;
  keys: readonly string[];
}

export interface RunningRedis {
  /** Without users: the open default user's URL. With users: the first user's. */
  url: string;
  /** The URL that logs in as `user` (redis://user:password@host:port). */
  urlFor(user: string): string;
  port: number;
  stop(): Promise<void>;
}

/**
 * A Redis server of our own, in the foreground as our child, with persistence off (it is a
 * cache and rate-limit store). `port` defaults to a free one.
 *
 * With `users`, nobody gets in without a password: the default user is off and each user may
 * run every command but the dangerous ones (FLUSHALL, CONFIG, KEYS, DEBUG, …; INFO stays,
 * clients' ready checks use it) on its own keys only. They live in an ACL file (0600, rewritten
 * on every start) as SHA-256 hashes, so no password shows in the process list or a file.
 * Without users the default user is open (tests of the adapters).
 */
export async function startRedis(options: {
  port?: number;
  dataDir: string;
  readyTimeoutMs?: number;
  users?: RedisUser[];
  progress?: Progress;
}): Promise<RunningRedis> {
  const progress = options.progress ?? createProgress();
  const { location } = await installRedis(progress);
  const port = options.port ?? (await freePort());
  await assertPortFree(port, "redis");
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const logFile = path.join(dataDir, "redis.log");
  const users = options.users ?? [];
  const aclFile = path.join(dataDir, "users.acl");
  if (users.length > 0) await writePrivateFile(aclFile, aclFileText(users));
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
      ...(users.length > 0 ? ["--aclfile", aclFile] : []),
    ],
    logFile,
  });
  const urlFor = (name: string) => {
    const user = users.find((u) => u.name === name);
    if (!user) throw new ProvisionError(`no Redis user ${name} on this server`);
    return `redis://${encodeURIComponent(user.name)}:${encodeURIComponent(user.password)}@127.0.0.1:${port}`;
  };
  const first = users[0];
  await inStep(
    progress,
    "redis",
    `starting on 127.0.0.1:${port}`,
    () =>
      waitUntilReady(server, () => pingRedis(port, first), { timeoutMs: options.readyTimeoutMs ?? 15_000, logFile }),
    () => `ready at redis://127.0.0.1:${port}`,
  );
  return {
    url: first ? urlFor(first.name) : `redis://127.0.0.1:${port}`,
    urlFor,
    port,
    stop: () => server.stop(),
  };
}

function aclFileText(users: RedisUser[]): string {
  for (const u of users) {
    if (!/^[\w.-]+$/.test(u.name) || u.keys.some((k) => /\s/.test(k))) {
      throw new ProvisionError(`Redis user ${u.name}: names and key patterns are single words`);
    }
  }
  const lines = users.map((u) => {
    const hash = createHash("sha256").update(u.password).digest("hex");
    const keys = u.keys.map((k) => `~${k}`).join(" ");
    return `user ${u.name} on #${hash} ${keys} resetchannels -@all +@all -@dangerous +info`;
  });
  return `${["user default off", ...lines].join("\n")}\n`;
}

/** One RESP PING on a raw socket (after AUTH when a user is given): no client library, so no reconnect loop to tear down. */
function pingRedis(port: number, user?: RedisUser): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.setTimeout(1_000);
    let reply = "";
    const bulk = (words: string[]) =>
      `*${words.length}\r\n${words.map((w) => `$${Buffer.byteLength(w)}\r\n${w}\r\n`).join("")}`;
    socket.once("connect", () =>
      socket.write(`${user ? bulk(["AUTH", user.name, user.password]) : ""}${bulk(["PING"])}`),
    );
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      const lines = reply.split("\r\n");
      if (lines.length < (user ? 3 : 2)) return;
      socket.destroy();
      const [auth, pong] = user ? lines : ["+OK", lines[0]];
      if (auth === "+OK" && pong?.startsWith("+PONG")) resolve();
      else reject(new Error(`unexpected reply ${JSON.stringify(reply.trim())}`));
    });
    socket.once("timeout", () => socket.destroy(new Error("no reply to PING")));
    socket.once("error", reject);
  });
}
