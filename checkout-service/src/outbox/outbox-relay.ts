import type { EventPublisher, Logger, Running, Sql } from "@checkout-saga/shared";
import { backoffDelay, sleep } from "../saga/retry.js";
import type { OutboxSignal } from "./outbox-signal.js";

export interface OutboxRelayOptions {
  batchSize: number;
  pollIntervalMs: number;
  /** Cap of the backoff after failed publishes. */
  maxBackoffMs?: number;
}

/** Only one relay publishes at a time (across instances), so events leave in id order. */
const RELAY_LOCK_KEY = 500_561;

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  payload: Buffer;
  headers: Record<string, string>;
}

export interface OutboxRelay extends Running {
  start(): void;
  /** Publishes one batch; returns how many rows it published (0: nothing pending, or another relay is busy). */
  publishBatch(): Promise<number>;
}

/**
 * Publishes committed outbox rows at least once. In one transaction it locks a batch of
 * unpublished rows in id order, hands them to the publisher, and marks them published only
 * after the publisher accepted them; a failure rolls back, so the rows wait for the next try.
 * Wakes on the in-process signal when this process wrote a row, otherwise polls.
 */
export function createOutboxRelay(
  deps: { sql: Sql; publisher: EventPublisher; signal: OutboxSignal; logger: Logger },
  options: OutboxRelayOptions,
): OutboxRelay {
  const { sql, publisher, logger } = deps;
  const backoff = { attempts: Number.POSITIVE_INFINITY, baseDelayMs: 100, maxDelayMs: options.maxBackoffMs ?? 5_000 };
  const stopping = new AbortController();
  let loop: Promise<void> | undefined;

  async function publishBatch(): Promise<number> {
    return sql.begin(async (tx) => {
      const [lock] = await tx<{ locked: boolean }[]>`select pg_try_advisory_xact_lock(${RELAY_LOCK_KEY}) as locked`;
      if (!lock?.locked) return 0;
      const rows = await tx<OutboxRow[]>`
        select id, topic, message_key, payload, headers from outbox
        where published_at is null
        order by id
        limit ${options.batchSize}
        for update skip locked`;
      if (rows.length === 0) return 0;
      // Rows share one topic today; grouping keeps per-topic order should that change.
      for (const topic of new Set(rows.map((r) => r.topic))) {
        await publisher.publish(
          topic,
          rows
            .filter((r) => r.topic === topic)
            .map((r) => ({ key: r.message_key, value: new Uint8Array(r.payload), headers: r.headers })),
        );
      }
      await tx`update outbox set published_at = now() where id in ${tx(rows.map((r) => r.id))}`;
      return rows.length;
    });
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping.signal.aborted) {
      try {
        const published = await publishBatch();
        failures = 0;
        if (published > 0) logger.debug({ published }, "outbox rows published");
        if (published < options.batchSize) await deps.signal.wait(options.pollIntervalMs);
      } catch (err) {
        failures++;
        const delay = backoffDelay(failures, backoff);
        logger.warn({ err, failures, retryInMs: Math.round(delay) }, "publishing the outbox failed; retrying");
        await sleep(delay, stopping.signal).catch(() => {});
      }
    }
  }

  return {
    publishBatch,
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
