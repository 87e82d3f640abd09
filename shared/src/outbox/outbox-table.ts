import { sql } from "drizzle-orm";
import { bigserial, customType, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => "bytea" });
const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/**
 * The `outbox` table, for a service's `store/schema.ts` (`export const outbox = outboxTable`),
 * so each service's own drizzle migrations create the very table, and indexes, that the writer,
 * relay, retention and queries here expect. One outbox per database: the relay's lock and the
 * queries name this table.
 */
export const outboxTable = pgTable(
  "outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    eventId: uuid("event_id").notNull().unique(),
    aggregateId: uuid("aggregate_id").notNull(),
    eventType: text("event_type").notNull(),
    topic: text("topic").notNull(),
    messageKey: text("message_key").notNull(),
    /** An encoded EventEnvelope. */
    payload: bytea("payload").notNull(),
    headers: jsonb("headers").notNull().default({}),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    publishedAt: timestamptz("published_at"),
  },
  (t) => [
    // The relay's claim reads only what is pending, however many published rows are kept.
    index("outbox_unpublished_idx").on(t.id).where(sql`${t.publishedAt} is null`),
    index("outbox_aggregate_idx").on(t.aggregateId),
    // Retention deletes and the CLI's publish rate find published rows by age.
    index("outbox_published_at_idx").on(t.publishedAt).where(sql`${t.publishedAt} is not null`),
  ],
);
