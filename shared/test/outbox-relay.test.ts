import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createOutboxRelay,
  createOutboxSignal,
  type EventMessage,
  type EventPublisher,
  type Sql,
  writeOutboxMessage,
} from "../src/index.js";
import { testLogger } from "../src/testing/index.js";
import { createOutboxDatabase } from "./outbox-database.js";

let sql: Sql;

beforeAll(async () => {
  ({ sql } = await createOutboxDatabase("outbox_relay"));
});

afterAll(async () => {
  await sql?.end();
});

beforeEach(async () => {
  await sql`delete from outbox`;
});

async function writeEvents(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const eventId = randomUUID();
    ids.push(eventId);
    await sql.begin((tx) =>
      writeOutboxMessage(tx, {
        eventId,
        aggregateId: randomUUID(),
        eventType: "CheckoutCompleted",
        topic: "checkout-events",
        key: `user-${i % 3}`,
        payload: Buffer.from(eventId),
        headers: { "event-id": eventId },
      }),
    );
  }
  return ids;
}

/** A publisher that records what it accepted and can be told to fail or to hold a batch. */
function recordingPublisher() {
  const accepted: EventMessage[] = [];
  const state = { failuresLeft: 0, attempts: 0, hold: undefined as Promise<void> | undefined };
  const publisher: EventPublisher = {
    async publish(topic, messages) {
      expect(topic).toBe("checkout-events");
      state.attempts++;
      if (state.hold) await state.hold;
      if (state.failuresLeft > 0) {
        state.failuresLeft--;
        throw new Error("broker unavailable");
      }
      accepted.push(...messages);
    },
  };
  return { publisher, accepted, state };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const eventIdsOf = (messages: EventMessage[]) => messages.map((m) => Buffer.from(m.value).toString());
const unpublished = async () => Number((await sql`select count(*) from outbox where published_at is null`)[0]!.count);

describe("outbox relay", () => {
  it("publishes in id order with key and headers, then marks rows published", async () => {
    const ids = await writeEvents(5);
    const { publisher, accepted } = recordingPublisher();
    const relay = createOutboxRelay(
      { sql, publisher, signal: createOutboxSignal(), logger: testLogger() },
      { batchSize: 2, pollIntervalMs: 20 },
    );
    relay.start();
    await eventually("every row published", async () => ((await unpublished()) === 0 ? true : undefined));
    await relay.stop();
    expect(eventIdsOf(accepted)).toEqual(ids);
    expect(accepted[0]).toMatchObject({ key: "user-0", headers: { "event-id": ids[0] } });
  });

  it("keeps rows through publish failures and retries with backoff: nothing is lost", async () => {
    const ids = await writeEvents(3);
    const { publisher, accepted, state } = recordingPublisher();
    state.failuresLeft = 3;
    const relay = createOutboxRelay(
      { sql, publisher, signal: createOutboxSignal(), logger: testLogger() },
      { batchSize: 10, pollIntervalMs: 20, maxBackoffMs: 50 },
    );
    relay.start();
    await eventually("every row published", async () => ((await unpublished()) === 0 ? true : undefined));
    await relay.stop();
    expect(state.attempts).toBe(4);
    expect(eventIdsOf(accepted)).toEqual(ids);
  });

  it("wakes at once on the in-process signal instead of waiting for its poll", async () => {
    const { publisher, accepted } = recordingPublisher();
    const signal = createOutboxSignal();
    const relay = createOutboxRelay(
      { sql, publisher, signal, logger: testLogger() },
      { batchSize: 10, pollIntervalMs: 60_000 },
    );
    relay.start();
    await new Promise((r) => setTimeout(r, 100)); // the relay is now asleep for a minute
    const ids = await writeEvents(1);
    signal.notify();
    await eventually("the row published", async () => (accepted.length === 1 ? true : undefined), 5_000);
    await relay.stop();
    expect(eventIdsOf(accepted)).toEqual(ids);
  });

  it("lets only one relay publish a row when several run", async () => {
    const ids = await writeEvents(4);
    const { publisher, accepted, state } = recordingPublisher();
    let release!: () => void;
    state.hold = new Promise<void>((r) => {
      release = r;
    });
    const relays = [1, 2].map(() =>
      createOutboxRelay(
        { sql, publisher, signal: createOutboxSignal(), logger: testLogger() },
        { batchSize: 10, pollIntervalMs: 20 },
      ),
    );
    const first = relays[0]!.publishBatch();
    await eventually("the first batch in flight", async () => (state.attempts === 1 ? true : undefined));
    expect(await relays[1]!.publishBatch()).toBe(0);
    release();
    expect(await first).toBe(4);
    expect(eventIdsOf(accepted)).toEqual(ids);
  });

  it("finishes the batch in flight when stopped", async () => {
    await writeEvents(2);
    const { publisher, accepted, state } = recordingPublisher();
    let release!: () => void;
    state.hold = new Promise<void>((r) => {
      release = r;
    });
    const relay = createOutboxRelay(
      { sql, publisher, signal: createOutboxSignal(), logger: testLogger() },
      { batchSize: 10, pollIntervalMs: 20 },
    );
    relay.start();
    await eventually("a batch in flight", async () => (state.attempts === 1 ? true : undefined));
    const stopped = relay.stop();
    release();
    await stopped;
    expect(accepted).toHaveLength(2);
    expect(await unpublished()).toBe(0);
  });
});
