import type { Running } from "../lifecycle.js";
import type { Logger } from "../logger.js";
import type { Sql } from "../postgres.js";
import { sleep } from "../resilience/backoff.js";

/** How long published rows stay (for replays) and how gently they are deleted. */
export interface OutboxRetentionOptions {
  /** Published rows are kept this long for replay (the service's OUTBOX_RETENTION_DAYS). */
  retentionDays: number;
  /** Time between two sweeps. */
  intervalMs: number;
  /** Rows deleted per statement: short transactions, no long lock on the table. */
  batchSize?: number;
  /** Pause between two deletes of one sweep, so a big backlog does not crowd out the relay. */
  pauseMs?: number;
}

/** A running sweeper: `start` its loop, `stop` it, or `sweep` once. */
export interface OutboxRetention extends Running {
  start(): void;
  /** One sweep: deletes every published row past retention, batch by batch; returns how many. */
  sweep(): Promise<number>;
}

/**
 * Deletes published outbox rows once they are older than the retention period. Unpublished
 * rows are never touched, however old. Each delete finds its rows through
 * outbox_published_at_idx and removes at most `batchSize`, so a sweep over a large backlog is a
 * series of short transactions. Several instances may sweep at once: they delete disjoint rows
 * (SKIP LOCKED) or nothing.
 */
export function createOutboxRetention(
  deps: { sql: Sql; logger: Logger },
  options: OutboxRetentionOptions,
): OutboxRetention {
  const { sql, logger } = deps;
  const batchSize = options.batchSize ?? 1_000;
  const pauseMs = options.pauseMs ?? 50;
  const stopping = new AbortController();
  let loop: Promise<void> | undefined;

  async function deleteBatch(): Promise<number> {
    const deleted = await sql`
      delete from outbox where id in (
        select id from outbox
        where published_at < now() - ${options.retentionDays} * interval '1 day'
        order by published_at
        limit ${batchSize}
        for update skip locked)`;
    return deleted.count;
  }

  async function sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await deleteBatch();
      total += deleted;
      if (deleted < batchSize || stopping.signal.aborted) return total;
      await sleep(pauseMs, stopping.signal).catch(() => {});
    }
  }

  async function run(): Promise<void> {
    while (!stopping.signal.aborted) {
      try {
        const deleted = await sweep();
        if (deleted > 0) logger.info({ deleted, retentionDays: options.retentionDays }, "old outbox rows deleted");
      } catch (err) {
        logger.warn({ err }, "deleting old outbox rows failed; trying again at the next sweep");
      }
      await sleep(options.intervalMs, stopping.signal).catch(() => {});
    }
  }

  return {
    sweep,
    start() {
      loop ??= run();
    },
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
