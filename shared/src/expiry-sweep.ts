import type { Running } from "./lifecycle.js";
import type { Logger } from "./logger.js";
import { startPeriodicTask } from "./periodic-task.js";

export interface ExpirySweepOptions {
  /** What expires, for the logs: "held reservations", "points lots". */
  what: string;
  /** Expires at most `limit` records past due, each in a short transaction; answers how many. */
  expireBatch: (limit: number) => Promise<number>;
  intervalMs: number;
  /** Delay of the first sweep (default: at once). */
  firstRunAfterMs?: number;
  batchSize: number;
  logger: Logger;
}

/**
 * Every expiry sweeper of the system (reservations, konbini vouchers, points lots): every
 * `intervalMs` it expires batch after batch until one comes back short, so small batches keep
 * row locks short and a backlog still clears in one run. The adapter owns which records are due
 * and how concurrent sweepers stay apart; a failed run is logged and the next one retries, so a
 * database hiccup never stops expiry for good.
 */
export function startExpirySweep(options: ExpirySweepOptions): Running {
  const { what, expireBatch, batchSize, logger } = options;
  return startPeriodicTask(
    async (stopping) => {
      let expired = 0;
      while (!stopping.aborted) {
        const count = await expireBatch(batchSize);
        expired += count;
        if (count < batchSize) break;
      }
      if (expired > 0) logger.info({ expired }, `expired ${what}`);
    },
    {
      intervalMs: options.intervalMs,
      firstRunAfterMs: options.firstRunAfterMs,
      onError: (err) => logger.error({ err }, `expiring ${what} failed; the next sweep retries`),
    },
  );
}
