import type postgres from "postgres";
import type { OutboxMessage } from "./outbox-message.js";

// Headers go as JSON text cast in SQL, not as `sql.json`: it works the same on a pool that
// drizzle also wraps (drizzle replaces its JSON serializers with pass-through ones).

/**
 * Inserts one outbox row inside the caller's transaction, next to the state change it
 * announces: both commit or neither does, so an event is never lost nor sent for a change that
 * rolled back. Taking a `TransactionSql` (what `sql.begin` hands its callback) keeps a write
 * outside a transaction from compiling. After the commit, the caller rings its OutboxSignal.
 */
export async function writeOutboxMessage(tx: postgres.TransactionSql, m: OutboxMessage): Promise<void> {
  await tx`
    insert into outbox (event_id, aggregate_id, event_type, topic, message_key, payload, headers)
    values (${m.eventId}, ${m.aggregateId}, ${m.eventType}, ${m.topic}, ${m.key},
            ${Buffer.from(m.payload)}, ${JSON.stringify(m.headers)}::text::jsonb)`;
}

/**
 * The same row as part of a single-statement write (a data-modifying WITH): an INSERT ... SELECT
 * that adds it once for each row of `source`, the name of a CTE of the enclosing statement (the
 * state change the event announces, e.g. `moved`). No row there, no event; one statement, so
 * both commit or neither does, in one round trip instead of a transaction's four.
 */
export function outboxInsertFor(
  sql: postgres.Sql,
  source: string,
  m: OutboxMessage,
): postgres.PendingQuery<postgres.Row[]> {
  return sql`
    insert into outbox (event_id, aggregate_id, event_type, topic, message_key, payload, headers)
    select ${m.eventId}::uuid, ${m.aggregateId}::uuid, ${m.eventType}::text, ${m.topic}::text, ${m.key}::text,
      ${Buffer.from(m.payload)}::bytea, ${JSON.stringify(m.headers)}::text::jsonb
    from ${sql(source)}`;
}
