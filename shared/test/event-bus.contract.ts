import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { create } from "@bufbuild/protobuf";
import { CheckoutFailedSchema } from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildEnvelope, encodeEnvelope } from "../src/events/envelope.js";
import type {
  ConsumerObserver,
  DeliveryOutcome,
  EventHandler,
  EventMessage,
  EventPublisher,
  EventSubscriber,
  Subscription,
} from "../src/events/event-bus.js";

/** A dead letter as a test sees it, whatever the adapter stores. */
export interface ObservedDeadLetter {
  group: string;
  eventId: string;
  attempts: number;
  error: string;
}

/** What the contract needs from one adapter (created afresh for every test). */
export interface EventBusFixture {
  bus: EventPublisher & EventSubscriber;
  /** A topic no other test uses (on Kafka: created, with its partitions and its `.dlq`). */
  newTopic(): Promise<string>;
  /** The messages parked for `topic` so far. */
  deadLetters(topic: string): Promise<ObservedDeadLetter[]>;
  /** Handler attempts before the adapter dead-letters a message, as configured. */
  maxAttempts: number;
  /** Another publisher onto the same bus, for the test to close right after publishing. */
  otherPublisher(): Promise<{ publisher: EventPublisher; close(): Promise<void> }>;
  close(): Promise<void>;
}

const TEST_TIMEOUT_MS = 60_000;

/**
 * The behaviour every EventPublisher/EventSubscriber adapter promises (at least once; per-key
 * order; retry then dead-letter without stopping the partition).
 *
 * Written around "eventually delivered", because adapters differ in when handlers run: the
 * in-process bus runs them inside `publish` and rejects while one fails (until the message is
 * dead-lettered), Kafka's run later on a consumer. Retrying a rejected publish is the caller's
 * job (the outbox relay's, here `publishAccepted`'s), and a retry may redeliver events a group
 * already handled, so assertions count distinct event ids and read order from first deliveries.
 */
export function describeEventBusContract(name: string, makeFixture: () => Promise<EventBusFixture>): void {
  describe(`event bus contract: ${name}`, () => {
    let fixture: EventBusFixture;
    let subscriptions: Subscription[];

    beforeEach(async () => {
      fixture = await makeFixture();
      subscriptions = [];
    });

    afterEach(async () => {
      await Promise.all(subscriptions.map((s) => s.close()));
      await fixture.close();
    });

    async function subscribe(
      topic: string,
      group: string,
      handler: EventHandler,
      observer?: ConsumerObserver,
    ): Promise<void> {
      subscriptions.push(await fixture.bus.subscribe({ topic, group, handler, observer }));
    }

    it(
      "delivers every published event to every subscribed group",
      async () => {
        const topic = await fixture.newTopic();
        const orders = createRecorder();
        const carts = createRecorder();
        await subscribe(topic, `orders-${topic}`, orders.handler);
        await subscribe(topic, `cart-${topic}`, carts.handler);

        const events = buildEvents(["u1", "u2", "u3", "u4"], 6);
        const single = buildEvent("u5", 0);
        for (const batch of chunk(events, 8)) await publishAccepted(fixture.bus, topic, batch.map(toMessage));
        await publishAccepted(fixture.bus, topic, [toMessage(single)]);

        const all = new Set([...events, single].map((e) => e.eventId));
        await eventually(() => {
          expect(orders.distinctIds()).toEqual(all);
          expect(carts.distinctIds()).toEqual(all);
        });
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "keeps each key's events in publish order, across publish calls",
      async () => {
        const topic = await fixture.newTopic();
        const recorder = createRecorder();
        await subscribe(topic, `orders-${topic}`, recorder.handler);

        const events = buildEvents(["u1", "u2", "u3"], 15);
        for (const batch of chunk(events, 5)) await publishAccepted(fixture.bus, topic, batch.map(toMessage));

        await eventually(() => expect(recorder.distinctIds().size).toBe(events.length));
        for (const key of ["u1", "u2", "u3"]) {
          expect(recorder.firstDeliveryOrder(key)).toEqual(events.filter((e) => e.key === key).map((e) => e.eventId));
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "redelivers an event whose handler failed, losing nothing and keeping its key's order",
      async () => {
        const topic = await fixture.newTopic();
        const events = buildEvents(["u1", "u2"], 5);
        const flaky = events[4]!;
        const recorder = createRecorder({ fails: (id, attempt) => id === flaky.eventId && attempt === 1 });
        await subscribe(topic, `orders-${topic}`, recorder.handler);

        await publishAccepted(fixture.bus, topic, events.map(toMessage));

        await eventually(() => expect(recorder.distinctIds().size).toBe(events.length));
        expect(recorder.attempts(flaky.eventId)).toBeGreaterThanOrEqual(2);
        expect(recorder.firstDeliveryOrder(flaky.key)).toEqual(
          events.filter((e) => e.key === flaky.key).map((e) => e.eventId),
        );
        expect(await fixture.deadLetters(topic)).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "dead-letters an event that keeps failing, and later events on its key still arrive",
      async () => {
        const topic = await fixture.newTopic();
        const poison = buildEvent("u1", 0);
        const later = [1, 2, 3].map((n) => buildEvent("u1", n));
        const others = [0, 1].map((n) => buildEvent("u2", n));
        const failing = createRecorder({ fails: (id) => id === poison.eventId });
        const healthy = createRecorder();
        const failingGroup = `orders-${topic}`;
        const outcomes: DeliveryOutcome[] = [];
        await subscribe(topic, failingGroup, failing.handler, {
          delivered: (d) => {
            if (d.topic === topic && d.group === failingGroup) outcomes.push(d.outcome);
          },
        });
        await subscribe(topic, `cart-${topic}`, healthy.handler);

        await publishAccepted(fixture.bus, topic, [poison, ...later, ...others].map(toMessage));

        await eventually(async () => {
          expect(failing.distinctIds()).toEqual(new Set([...later, ...others].map((e) => e.eventId)));
          expect(await fixture.deadLetters(topic)).toHaveLength(1);
        });
        const [parked] = await fixture.deadLetters(topic);
        expect(parked).toMatchObject({ group: failingGroup, eventId: poison.eventId, attempts: fixture.maxAttempts });
        expect(parked?.error).toContain("refused by test handler");
        expect(failing.attempts(poison.eventId)).toBe(fixture.maxAttempts);
        expect(failing.firstDeliveryOrder("u1")).toEqual(later.map((e) => e.eventId));
        // The observer (consumer metrics) saw each failed attempt, the parking, and the rest
        // applied (at least once: a redelivery is counted again).
        await eventually(() =>
          expect(outcomes.filter((o) => o === "ok").length).toBeGreaterThanOrEqual(later.length + others.length),
        );
        expect(outcomes.filter((o) => o === "dead_lettered").length).toBeGreaterThanOrEqual(1);
        expect(outcomes.filter((o) => o === "failed").length).toBeGreaterThanOrEqual(fixture.maxAttempts - 1);
        // Another group is not held back by one group's failure.
        await eventually(() => expect(healthy.distinctIds().size).toBe(1 + later.length + others.length));
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "delivers what publish accepted even when the publisher closes right after",
      async () => {
        const topic = await fixture.newTopic();
        const recorder = createRecorder();
        await subscribe(topic, `orders-${topic}`, recorder.handler);
        const other = await fixture.otherPublisher();
        const events = buildEvents(["u1", "u2"], 3);

        try {
          await publishAccepted(other.publisher, topic, events.map(toMessage));
        } finally {
          await other.close();
        }

        await eventually(() => expect(recorder.distinctIds()).toEqual(new Set(events.map((e) => e.eventId))));
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "close() lets the handler in flight finish before it resolves",
      async () => {
        const topic = await fixture.newTopic();
        let started = false;
        let finished = false;
        const subscription = await fixture.bus.subscribe({
          topic,
          group: `orders-${topic}`,
          handler: async () => {
            started = true;
            await sleep(300);
            finished = true;
          },
        });
        // Not awaited: the in-process bus runs the handler inside publish.
        const publishing = publishAccepted(fixture.bus, topic, [toMessage(buildEvent("u1", 0))]);

        await eventually(() => expect(started).toBe(true));
        await subscription.close();

        expect(finished).toBe(true);
        await publishing;
      },
      TEST_TIMEOUT_MS,
    );
  });
}

/** A test event: key (user id) and its position among that key's events. */
export interface TestEvent {
  eventId: string;
  key: string;
  seq: number;
}

export function buildEvent(key: string, seq: number): TestEvent {
  return { eventId: randomUUID(), key, seq };
}

/** `perKey` events for each key, interleaved across keys (as a busy outbox would be). */
export function buildEvents(keys: string[], perKey: number): TestEvent[] {
  const events: TestEvent[] = [];
  for (let seq = 0; seq < perKey; seq++) for (const key of keys) events.push(buildEvent(key, seq));
  return events;
}

export function toMessage(event: TestEvent): EventMessage {
  const envelope = buildEnvelope({
    eventId: event.eventId,
    aggregateId: `checkout-${event.key}-${event.seq}`,
    occurredAt: new Date(),
    payload: {
      case: "checkoutFailed",
      value: create(CheckoutFailedSchema, {
        checkoutId: `checkout-${event.key}-${event.seq}`,
        userId: event.key,
        reasonCode: "PAYMENT_DECLINED",
        message: "test event",
      }),
    },
  });
  return { key: event.key, value: encodeEnvelope(envelope) };
}

/**
 * Publishes until the bus accepts, as the outbox relay does: the in-process bus rejects while a
 * handler fails (it runs handlers inside publish) and accepts once the message is handled or
 * dead-lettered; Kafka accepts at once.
 */
export async function publishAccepted(publisher: EventPublisher, topic: string, messages: EventMessage[]) {
  for (let attempt = 1; ; attempt++) {
    try {
      await publisher.publish(topic, messages);
      return;
    } catch (err) {
      if (attempt >= 20) throw err;
    }
  }
}

/** Records deliveries per group handler; `fails` decides which attempts throw. */
export function createRecorder(options: { fails?: (eventId: string, attempt: number) => boolean } = {}) {
  const deliveries: { eventId: string; key: string }[] = [];
  const attemptsById = new Map<string, number>();
  const handler: EventHandler = async (event) => {
    const attempt = (attemptsById.get(event.eventId) ?? 0) + 1;
    attemptsById.set(event.eventId, attempt);
    if (options.fails?.(event.eventId, attempt)) throw new Error(`refused by test handler (attempt ${attempt})`);
    const payload = event.payload.case === "checkoutFailed" ? event.payload.value : undefined;
    deliveries.push({ eventId: event.eventId, key: payload?.userId ?? "" });
  };
  return {
    handler,
    distinctIds: () => new Set(deliveries.map((d) => d.eventId)),
    attempts: (eventId: string) => attemptsById.get(eventId) ?? 0,
    /** The key's event ids in the order each was first handled successfully. */
    firstDeliveryOrder(key: string): string[] {
      return [...new Set(deliveries.filter((d) => d.key === key).map((d) => d.eventId))];
    },
  };
}

/** Retries `assertion` until it passes or `timeoutMs` runs out (then its last failure is thrown). */
export async function eventually(assertion: () => unknown, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(50);
    }
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
