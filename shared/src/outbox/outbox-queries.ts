import type { EventMessage } from "../events/event-bus.js";
import type { Sql } from "../postgres.js";

/** One outbox row as operators see it (ids are bigints, kept as strings). */
export interface OutboxRecord {
  id: string;
  eventId: string;
  eventType: string;
  aggregateId: string;
  topic: string;
  key: string;
  createdAt: Date;
  /** Undefined while the relay has not published it. */
  publishedAt?: Date;
}

/** A row with what it takes to send it again. */
export interface OutboxEvent extends OutboxRecord {
  message: EventMessage;
}

/** What waits for the relay. */
export interface OutboxPending {
  count: number;
  /** Undefined when nothing is pending. */
  oldestAt?: Date;
  /** Seconds, by the database's clock. */
  oldestAgeSeconds?: number;
}

/** The outbox's health at a glance: what waits, how long, and how fast rows go out. */
export interface OutboxStatus {
  pending: number;
  oldestPendingAt?: Date;
  /** Seconds, by the database's clock. */
  oldestPendingAgeSeconds?: number;
  lastPublishedId?: string;
  lastPublishedAt?: Date;
  publishedLastMinute: number;
  publishedLast5Minutes: number;
}

/** Which rows `list` returns. */
export interface OutboxListFilter {
  pending?: boolean;
  aggregateId?: string;
  eventType?: string;
  since?: Date;
  limit: number;
}

/** Which published rows a replay sends: exactly one selector, optionally narrowed by type. */
export type OutboxReplaySelector =
  | { kind: "id"; id: string }
  | { kind: "range"; fromId: string; toId: string }
  | { kind: "aggregate"; aggregateId: string }
  | { kind: "time"; since: Date; until?: Date };

interface RecordRow {
  id: string;
  event_id: string;
  event_type: string;
  aggregate_id: string;
  topic: string;
  message_key: string;
  created_at: Date;
  published_at: Date | null;
}

interface EventRow extends RecordRow {
  payload: Buffer;
  headers: Record<string, string>;
}

const RECORD_COLUMNS = "id, event_id, event_type, aggregate_id, topic, message_key, created_at, published_at";

/**
 * Read and requeue queries over a service's outbox, for operator tools (a CLI's status, list
 * and replay) and gauges; each one an index scan.
 */
export function createOutboxQueries(sql: Sql) {
  const columns = sql.unsafe(RECORD_COLUMNS);

  async function pending(): Promise<OutboxPending> {
    const [row] = await sql<{ count: string; oldest: Date | null; age: number | null }[]>`
      select count(*) as count, min(created_at) as oldest,
             extract(epoch from now() - min(created_at))::float8 as age
      from outbox where published_at is null`;
    return {
      count: Number(row?.count ?? 0),
      oldestAt: row?.oldest ?? undefined,
      oldestAgeSeconds: row?.age ?? undefined,
    };
  }

  return {
    /** Rows waiting for the relay and the age of the oldest, by the database's clock (what gauges show). */
    pending,

    async status(): Promise<OutboxStatus> {
      const waiting = await pending();
      // Walks the primary key from the top; pending rows at the tail are skipped, not sorted.
      const [last] = await sql<{ id: string; published_at: Date }[]>`
        select id, published_at from outbox where published_at is not null order by id desc limit 1`;
      const [rate] = await sql<{ minute: string; five: string }[]>`
        select count(*) filter (where published_at > now() - interval '1 minute') as minute,
               count(*) as five
        from outbox where published_at > now() - interval '5 minutes'`;
      return {
        pending: waiting.count,
        oldestPendingAt: waiting.oldestAt,
        oldestPendingAgeSeconds: waiting.oldestAgeSeconds,
        lastPublishedId: last?.id,
        lastPublishedAt: last?.published_at,
        publishedLastMinute: Number(rate?.minute ?? 0),
        publishedLast5Minutes: Number(rate?.five ?? 0),
      };
    },

    /** Pending rows oldest first (the relay's order); otherwise the newest rows first. */
    async list(filter: OutboxListFilter): Promise<OutboxRecord[]> {
      const conditions = [sql`true`];
      if (filter.pending) conditions.push(sql`published_at is null`);
      if (filter.aggregateId) conditions.push(sql`aggregate_id = ${filter.aggregateId}`);
      if (filter.eventType) conditions.push(sql`event_type = ${filter.eventType}`);
      if (filter.since) conditions.push(sql`created_at >= ${filter.since}`);
      const where = conditions.reduce((all, c) => sql`${all} and ${c}`);
      const order = filter.pending ? sql`order by id` : sql`order by id desc`;
      const rows = await sql<RecordRow[]>`select ${columns} from outbox where ${where} ${order} limit ${filter.limit}`;
      return rows.map(toRecord);
    },

    /** The next `limit` rows the selector matches after id `afterId`, in id order, published or not. */
    async replayBatch(
      selector: OutboxReplaySelector,
      options: { eventType?: string; afterId: string; limit: number },
    ): Promise<OutboxEvent[]> {
      const conditions = [sql`id > ${options.afterId}`, selectorCondition(sql, selector)];
      if (options.eventType) conditions.push(sql`event_type = ${options.eventType}`);
      const where = conditions.reduce((all, c) => sql`${all} and ${c}`);
      const rows = await sql<EventRow[]>`
        select ${columns}, payload, headers from outbox where ${where} order by id limit ${options.limit}`;
      return rows.map((r) => ({
        ...toRecord(r),
        message: { key: r.message_key, value: new Uint8Array(r.payload), headers: r.headers },
      }));
    },

    /** Marks published rows unpublished, so the running relay sends them again; returns the ids it changed. */
    async requeue(ids: string[]): Promise<string[]> {
      const rows = await sql<{ id: string }[]>`
        update outbox set published_at = null
        where id = any(${ids}::bigint[]) and published_at is not null
        returning id`;
      return rows.map((r) => r.id);
    },
  };
}

/** The queries over one database's outbox. */
export type OutboxQueries = ReturnType<typeof createOutboxQueries>;

function selectorCondition(sql: Sql, s: OutboxReplaySelector) {
  switch (s.kind) {
    case "id":
      return sql`id = ${s.id}`;
    case "range":
      return sql`id between ${s.fromId} and ${s.toId}`;
    case "aggregate":
      return sql`aggregate_id = ${s.aggregateId}`;
    case "time":
      return s.until ? sql`created_at >= ${s.since} and created_at < ${s.until}` : sql`created_at >= ${s.since}`;
  }
}

function toRecord(r: RecordRow): OutboxRecord {
  return {
    id: String(r.id),
    eventId: r.event_id,
    eventType: r.event_type,
    aggregateId: r.aggregate_id,
    topic: r.topic,
    key: r.message_key,
    createdAt: r.created_at,
    publishedAt: r.published_at ?? undefined,
  };
}
