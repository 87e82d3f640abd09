import { type Logger, type Running, type Sql, startPeriodicTask } from "@checkout-saga/shared";
import type { CheckoutMetrics } from "./checkout-metrics.js";

/**
 * Refreshes the database-wide gauges every `intervalMs` (and once at start): outbox rows
 * pending and the age of the oldest, and checkouts needing attention. Each query reads a partial
 * index (`outbox_unpublished_idx`, `checkout_sessions_attention_idx`), so its cost follows what
 * is pending, never the table's size. A failed refresh keeps the last figures and is logged.
 */
export function startCheckoutGauges(
  deps: { sql: Sql; gauges: CheckoutMetrics["gauges"]; logger: Logger },
  options: { intervalMs: number },
): Running {
  const { sql, gauges, logger } = deps;

  async function refresh(): Promise<void> {
    const [pending] = await sql<{ count: string }[]>`select count(*) as count from outbox where published_at is null`;
    // Ids grow with commit order, so the lowest pending id is the oldest pending row.
    const [oldest] = await sql<{ age: number }[]>`
      select extract(epoch from now() - created_at)::float8 as age
      from outbox where published_at is null order by id limit 1`;
    const [attention] = await sql<{ count: string }[]>`
      select count(*) as count from checkout_sessions where needs_attention`;
    gauges.outboxPending.set(Number(pending?.count ?? 0));
    gauges.outboxOldestPendingAge.set(Math.max(0, oldest?.age ?? 0));
    gauges.needingAttention.set(Number(attention?.count ?? 0));
  }

  return startPeriodicTask(refresh, {
    intervalMs: options.intervalMs,
    onError: (err) => logger.warn({ err }, "refreshing the outbox and attention gauges failed"),
  });
}
