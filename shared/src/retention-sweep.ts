import type { Running } from "./lifecycle.js";
import type { Logger } from "./logger.js";
import { startPeriodicTask } from "./periodic-task.js";
import { sleep } from "./resilience/backoff.js";

/** How long rows stay and how gently they are deleted once they are past it. */
export interface RetentionSweepOptions {
  /** Rows past this age are deleted (the service's *_RETENTION_DAYS). */
  retentionDays: number;
  /** Time between two sweeps. */
  intervalMs: number;
  /** Rows deleted per statement: short transactions, no long lock on the table. */
  batchSize?: number;
  /** Pause between two deletes of one sweep, so a big backlog does not crowd out the table's real work. */
  pauseMs?: number;
}

/** A table's retention: `sweep` once, or `start` sweeping periodically. */
export interface RetentionSweep {
  /** One sweep: deletes every row past retention, batch by batch; returns how many. */
  sweep(stopping?: AbortSignal): Promise<number>;
  /** Sweeps at once and then every `intervalMs`; a failed sweep is logged and tried again next time. */
  start(): Running;
}

/**
 * Deletes a table's rows past retention in bounded batches. The table's adapter owns which
 * rows may go (`deleteBatch` deletes at most `limit` of them, oldest first, and answers how many
 * it deleted); this owns the batching, the pauses and the schedule, so every retention in the
 * system behaves the same way.
 */
export function createRetentionSweep(
  deps: {
    logger: Logger;
    /** What is deleted, for the logs: "outbox rows", "payment notifications". */
    what: string;
    deleteBatch: (batch: { retentionDays: number; limit: number }) => Promise<number>;
  },
  options: RetentionSweepOptions,
): RetentionSweep {
  const { logger, what } = deps;
  const { retentionDays, intervalMs } = options;
  const limit = options.batchSize ?? 1_000;
  const pauseMs = options.pauseMs ?? 50;

  async function sweep(stopping?: AbortSignal): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await deps.deleteBatch({ retentionDays, limit });
      total += deleted;
      if (deleted < limit || stopping?.aborted) return total;
      await sleep(pauseMs, stopping).catch(() => {});
    }
  }

  return {
    sweep,
    start() {
      return startPeriodicTask(
        async (stopping) => {
          const deleted = await sweep(stopping);
          if (deleted > 0) logger.info({ deleted, retentionDays }, `old ${what} deleted`);
        },
        {
          intervalMs,
          onError: (err) => logger.warn({ err }, `deleting old ${what} failed; trying again at the next sweep`),
        },
      );
    },
  };
}
