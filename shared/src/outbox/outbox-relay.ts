import type { EventPublisher } from "../events/event-bus.js";
import type { Running } from "../lifecycle.js";
import type { Logger } from "../logger.js";
import type { Sql } from "../postgres.js";
import { backoffDelay, sleep } from "../resilience/backoff.js";
import { recordFailure, SpanKind, traceContextFrom, tracer } from "../tracing.js";
import type { OutboxSignal } from "./outbox-signal.js";

/** How the relay batches, polls and backs off; the service's config supplies batch size and poll interval. */
export interface OutboxRelayOptions {
  batchSize: number;
  /** The longest the relay sleeps when idle and not signalled (rows written by other processes wait this long at worst). */
  pollIntervalMs: number;
  /** The first idle poll after activity; doubles per empty poll up to `pollIntervalMs` (default 10 ms). */
  minPollIntervalMs?: number;
  /**
   * After a batch that published something, wait this long before the next one even when
   * signalled, so a steady trickle of commits goes out in batches of several rows instead of
   * one request per commit (default 5 ms; see `npm run bench -- outbox`).
   */
  lingerMs?: number;
  /** Cap of the backoff after failed publishes. */
  maxBackoffMs?: number;
}

/**
 * Only one relay publishes at a time (across instances sharing the database; advisory locks are
 * per database, so each service's outbox has its own). Two relays claiming disjoint batches
 * with SKIP LOCKED alone could send a key's later event before its earlier one; the lock keeps
 * each key's events in order. Publishing is one request per batch, so one publisher is not the
 * bottleneck (see `npm run bench -- outbox`).
 */
const RELAY_LOCK_KEY = 500_561;

const relayTracer = tracer("@checkout-saga/shared/outbox-relay");

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  payload: Buffer;
  headers: Record<string, string>;
}

/** What one batch did: rows published, or why nothing was ("idle": no rows, "busy": another relay holds the lock). */
type BatchOutcome = { published: number; lastId?: string } | "idle" | "busy";

/** A running relay: `start` its loop, `stop` it (the batch in flight finishes), or drive it batch by batch. */
export interface OutboxRelay extends Running {
  start(): void;
  /** Publishes one batch; returns how many rows it published (0: nothing pending, or another relay is busy). */
  publishBatch(): Promise<number>;
}

/**
 * Publishes committed outbox rows at least once, in id order. In one transaction it takes the
 * relay lock, locks a batch of unpublished rows in id order, hands them to the publisher as one
 * call per topic, and marks them published only after the publisher resolved (on Kafka: acked
 * by the in-sync replicas); a failure rolls back, so the rows wait for the next try. A crash
 * between the ack and the commit re-sends the batch: consumers dedupe by event id.
 *
 * Wakes at once on the in-process signal (this process committed a row). Otherwise it polls
 * adaptively: soon after activity, then less often, up to `pollIntervalMs` — so rows written by
 * another instance wait little while traffic flows and an idle relay costs two queries a second.
 * While publishing fails it backs off exponentially (capped), and drains the backlog batch after
 * batch once the broker is back.
 */
export function createOutboxRelay(
  deps: {
    sql: Sql;
    publisher: EventPublisher;
    signal: OutboxSignal;
    logger: Logger;
    /** Told how many rows each committed batch published (metrics). */
    onPublished?: (rows: number) => void;
  },
  options: OutboxRelayOptions,
): OutboxRelay {
  const { sql, publisher, logger } = deps;
  const backoff = { attempts: Number.POSITIVE_INFINITY, baseDelayMs: 100, maxDelayMs: options.maxBackoffMs ?? 5_000 };
  const minPollMs = Math.min(options.minPollIntervalMs ?? 10, options.pollIntervalMs);
  const lingerMs = options.lingerMs ?? 5;
  const stopping = new AbortController();
  let loop: Promise<void> | undefined;

  async function runBatch(): Promise<BatchOutcome> {
    return sql.begin(async (tx): Promise<BatchOutcome> => {
      const [lock] = await tx<{ locked: boolean }[]>`select pg_try_advisory_xact_lock(${RELAY_LOCK_KEY}) as locked`;
      if (!lock?.locked) return "busy";
      // An index scan of outbox_unpublished_idx: published rows, however many, are not visited.
      const rows = await tx<OutboxRow[]>`
        select id, topic, message_key, payload, headers from outbox
        where published_at is null
        order by id
        limit ${options.batchSize}
        for update skip locked`;
      if (rows.length === 0) return "idle";
      // Rows share one topic today; grouping keeps per-topic order should that change.
      for (const topic of new Set(rows.map((r) => r.topic))) {
        await publishTraced(
          topic,
          rows.filter((r) => r.topic === topic),
        );
      }
      const ids = rows.map((r) => r.id);
      await tx`update outbox set published_at = now() where id = any(${ids}::bigint[])`;
      return { published: rows.length, lastId: ids[ids.length - 1] };
    });
  }

  /**
   * Publishes one topic's rows as one call, with a PRODUCER span per row in the trace of the
   * work that wrote it (the row's `traceparent` header), each lasting as long as the call.
   */
  async function publishTraced(topic: string, batch: OutboxRow[]): Promise<void> {
    const spans = batch.map((r) =>
      relayTracer.startSpan(
        `${topic} publish`,
        {
          kind: SpanKind.PRODUCER,
          attributes: { "messaging.destination.name": topic, "messaging.message.id": r.headers["event-id"] ?? "" },
        },
        traceContextFrom(r.headers),
      ),
    );
    try {
      await publisher.publish(
        topic,
        batch.map((r) => ({ key: r.message_key, value: new Uint8Array(r.payload), headers: r.headers })),
      );
    } catch (err) {
      for (const span of spans) recordFailure(span, err);
      throw err;
    } finally {
      for (const span of spans) span.end();
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    let idlePollMs = minPollMs;
    while (!stopping.signal.aborted) {
      try {
        const outcome = await runBatch();
        failures = 0;
        if (typeof outcome === "object") {
          deps.onPublished?.(outcome.published);
          logger.debug({ published: outcome.published, lastId: outcome.lastId }, "outbox rows published");
          idlePollMs = minPollMs;
          // A full batch means more may be waiting: go again at once.
          if (outcome.published >= options.batchSize) continue;
          if (lingerMs > 0) await sleep(lingerMs, stopping.signal).catch(() => {});
        }
        // "busy": the relay holding the lock publishes what is pending; this one backs off too.
        await deps.signal.wait(idlePollMs);
        idlePollMs = Math.min(idlePollMs * 2, options.pollIntervalMs);
      } catch (err) {
        failures++;
        const delay = backoffDelay(failures, backoff);
        logger.warn({ err, failures, retryInMs: Math.round(delay) }, "publishing the outbox failed; retrying");
        await sleep(delay, stopping.signal).catch(() => {});
      }
    }
  }

  return {
    async publishBatch() {
      const outcome = await runBatch();
      return typeof outcome === "object" ? outcome.published : 0;
    },
    start() {
      loop ??= run();
    },
    async stop() {
      stopping.abort();
      deps.signal.notify(); // wakes a waiting loop; the batch in flight finishes first
      await loop;
    },
  };
}
