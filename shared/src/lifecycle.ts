import { ConfigError } from "./config.js";
import type { Logger } from "./logger.js";

/** A started service or component that knows how to stop itself cleanly. */
export interface Running {
  stop(): Promise<void>;
}

/**
 * Runs every stop in the order given, each one even if an earlier one failed (a pool is still
 * closed after a server refused to), then rethrows the first failure.
 */
export async function stopInOrder(stops: ReadonlyArray<() => unknown>): Promise<void> {
  let failure: { err: unknown } | undefined;
  for (const stop of stops) {
    try {
      await stop();
    } catch (err) {
      failure ??= { err };
    }
  }
  if (failure) throw failure.err;
}

/**
 * Runs a process's composition root: starts it, then stops it on SIGTERM/SIGINT, exiting 0
 * after a clean stop, 1 if stopping failed or outran `graceMs`. A bad setting exits 2 with
 * the message naming it.
 */
export async function runUntilSignalled(
  logger: Logger,
  start: () => Promise<Running>,
  options: { graceMs?: number } = {},
): Promise<void> {
  const graceMs = options.graceMs ?? 10_000;
  let running: Running | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    const timer = setTimeout(() => {
      logger.error({ graceMs }, "stop outran its grace period");
      process.exit(1);
    }, graceMs);
    try {
      await running?.stop();
      clearTimeout(timer);
      logger.info("stopped");
      process.exit(0);
    } catch (err) {
      logger.error({ err }, "stop failed");
      process.exit(1);
    }
  };
  // Installed before start: a signal during a slow start (a consumer group join can take a
  // session timeout) must still stop cleanly rather than kill the process mid-way.
  let signalled: string | undefined;
  const onSignal = (signal: string) => {
    if (running) void stop(signal);
    else signalled ??= signal;
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
  try {
    running = await start();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      process.exit(2);
    }
    logger.fatal({ err }, "failed to start");
    process.exit(1);
  }
  if (signalled) await stop(signalled);
}
