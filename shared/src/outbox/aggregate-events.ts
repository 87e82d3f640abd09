import type { OutboxQueries, OutboxRecord } from "./outbox-queries.js";

/** More than one checkout or order ever writes: the list is a bound, not a page. */
const AGGREGATE_EVENTS_LIMIT = 100;

/** One aggregate's outbox rows, oldest first, for operators: what it told the other services. */
export async function aggregateEvents(
  outbox: Pick<OutboxQueries, "list">,
  aggregateId: string,
): Promise<OutboxRecord[]> {
  const newestFirst = await outbox.list({ aggregateId, limit: AGGREGATE_EVENTS_LIMIT });
  return newestFirst.reverse();
}
