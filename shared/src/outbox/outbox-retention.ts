import type { Logger } from "../logger.js";
import type { Sql } from "../postgres.js";
import { createRetentionSweep, type RetentionSweep, type RetentionSweepOptions } from "../retention-sweep.js";

/**
 * Deletes published outbox rows once they are older than the retention period (the service's
 * OUTBOX_RETENTION_DAYS; they are kept that long for replay). Unpublished rows are never
 * touched, however old. Each delete finds its rows through outbox_published_at_idx and removes
 * at most a batch, so a sweep over a large backlog is a series of short transactions. Several
 * instances may sweep at once: they delete disjoint rows (SKIP LOCKED) or nothing.
 */
export function createOutboxRetention(
  deps: { sql: Sql; logger: Logger },
  options: RetentionSweepOptions,
): RetentionSweep {
  const { sql, logger } = deps;
  return createRetentionSweep(
    {
      logger,
      what: "outbox rows",
      async deleteBatch({ retentionDays, limit }) {
        const deleted = await sql`
          delete from outbox where id in (
            select id from outbox
            where published_at < now() - ${retentionDays} * interval '1 day'
            order by published_at
            limit ${limit}
            for update skip locked)`;
        return deleted.count;
      },
    },
    options,
  );
}
