import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ProvisionError } from "./provision-error.js";
import { findTool } from "./tools.js";

/** A server running as a child process of ours: its output goes to a log file, the last lines stay in memory. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  /** False once the process has exited (or failed to start). */
  isRunning(): boolean;
  /** The last lines the server printed, for error messages. */
  logTail(lines?: number): string;
  /** Terminates the server (SIGTERM, then SIGKILL after `graceMs`) and resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const TAIL_LINES = 200;
const running = new Set<ChildProcess>();

/**
 * Starts `command` as a child process that dies with us: `setpriv --pdeathsig` makes the kernel
 * send SIGTERM if this process goes away without stopping it (a crashed test worker must not
 * leave a broker holding its port), and an exit hook covers a normal exit.
 */
export function spawnServer(options: {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}): ServerProcess {
  const setpriv = findTool("setpriv");
  const [command, args] = setpriv
    ? [setpriv, ["--pdeathsig", "TERM", "--", options.command, ...options.args]]
    : [options.command, options.args];
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = createWriteStream(options.logFile, { flags: "a" });
  const tail: string[] = [];
  let partial = "";
  const record = (chunk: Buffer) => {
    log.write(chunk);
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    tail.push(...lines);
    if (tail.length > TAIL_LINES) tail.splice(0, tail.length - TAIL_LINES);
  };
  child.stdout?.on("data", record);
  child.stderr?.on("data", record);
  let spawnError: Error | undefined;
  child.once("error", (err) => {
    spawnError = err;
    running.delete(child);
  });
  const exited = new Promise<void>((resolve) => {
    child.once("close", () => {
      running.delete(child);
      log.end();
      resolve();
    });
  });
  running.add(child);
  registerExitHook();

  let stopping: Promise<void> | undefined;
  return {
    name: options.name,
    pid: child.pid ?? -1,
    isRunning: () => running.has(child),
    logTail(lines = 30) {
      const all = partial ? [...tail, partial] : tail;
      const text = all.slice(-lines).join("\n");
      return spawnError ? `${text}\n${spawnError.message}`.trim() : text;
    },
    stop(graceMs = 20_000) {
      stopping ??= (async () => {
        if (!running.has(child)) return;
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

let exitHookRegistered = false;
function registerExitHook() {
  if (exitHookRegistered) return;
  exitHookRegistered = true;
  process.once("exit", () => {
    for (const child of running) child.kill("SIGTERM");
  });
}

/**
 * Refuses to start on a port someone else holds: a server left running by an earlier run would
 * otherwise answer in our place (or make ours fail in a confusing way).
 */
export async function assertPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new ProvisionError(
          err.code === "EADDRINUSE"
            ? `${what}: port ${port} on 127.0.0.1 is already in use (a server left running? stop it or choose another port)`
            : `${what}: cannot bind 127.0.0.1:${port}: ${err.message}`,
        ),
      ),
    );
    probe.listen({ port, host: "127.0.0.1", exclusive: true }, () => probe.close(() => resolve()));
  });
}

/**
 * Polls `probe` until it resolves. Fails fast if the server exits, and after `timeoutMs` stops
 * it; both errors quote the tail of the server's log.
 */
export async function waitUntilReady(
  server: ServerProcess,
  probe: () => Promise<unknown>,
  options: { timeoutMs: number; logFile: string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (!server.isRunning()) {
      throw new ProvisionError(
        `${server.name} exited before it was ready (log: ${options.logFile}); last lines:\n${server.logTail()}`,
      );
    }
    try {
      await probe();
      return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      await server.stop();
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new ProvisionError(
        `${server.name} was not ready within ${options.timeoutMs} ms (last probe: ${reason}; log: ${options.logFile}); last lines:\n${server.logTail()}`,
      );
    }
    await sleep(200);
  }
}
