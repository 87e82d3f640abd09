import type { DeadLetterEntry, OutboxRecord } from "@checkout-saga/shared";

/** One outbox row on one line: id, created, published (or pending), type, aggregate, key, event id. */
export function formatRecord(r: OutboxRecord): string {
  const published = r.publishedAt ? r.publishedAt.toISOString() : "pending";
  return [
    r.id,
    r.createdAt.toISOString(),
    published.padEnd(24),
    r.eventType.padEnd(17),
    `aggregate=${r.aggregateId}`,
    `key=${r.key}`,
    `event=${r.eventId}`,
  ].join("  ");
}

/** An outbox row as JSON: ids as strings, times as ISO strings, null when unpublished. */
export function recordJson(r: OutboxRecord) {
  return {
    id: r.id,
    event_id: r.eventId,
    event_type: r.eventType,
    aggregate_id: r.aggregateId,
    topic: r.topic,
    key: r.key,
    created_at: r.createdAt.toISOString(),
    published_at: r.publishedAt?.toISOString() ?? null,
  };
}

export function formatDeadLetter(d: DeadLetterEntry): string {
  const from = `${d.reason.topic}/${d.reason.partition}@${d.reason.offset}`;
  return [
    `${d.partition}@${d.offset}`,
    d.pending ? "pending    " : "republished",
    `event=${d.eventId ?? "(undecodable)"}`,
    d.eventType ?? "-",
    `key=${d.key}`,
    `group=${d.reason.group}`,
    `attempts=${d.reason.attempts}`,
    `from=${from}`,
    `error=${JSON.stringify(d.reason.error)}`,
  ].join("  ");
}

export function deadLetterJson(d: DeadLetterEntry) {
  return {
    partition: d.partition,
    offset: d.offset,
    pending: d.pending,
    event_id: d.eventId ?? null,
    event_type: d.eventType ?? null,
    key: d.key,
    group: d.reason.group,
    attempts: d.reason.attempts,
    error: d.reason.error,
    original: { topic: d.reason.topic, partition: d.reason.partition, offset: d.reason.offset },
  };
}

/** Seconds as a short human duration: "850 ms", "42.0 s", "12.5 min", "3.2 h", "2.1 d". */
export function formatAge(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7_200) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 172_800) return `${(seconds / 3_600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}
