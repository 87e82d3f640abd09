import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { type Consumer, type ConsumerConfig, Kafka, logLevel, type PartitionOffset } from "kafkajs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createKafkaTopics, type RunningKafka, startKafka } from "../../scripts/provision/servers.js";
import { decodeEnvelope } from "../src/events/envelope.js";
import { createInProcessEventBus } from "../src/events/in-process-bus.js";
import { createKafkaEventBus, type KafkaEventBus } from "../src/events/kafka-bus.js";
import { DEAD_LETTER_HEADERS, deadLetterTopic, readDeadLetterReason } from "../src/events/kafka-dead-letter.js";
import type { KafkaConnection } from "../src/events/kafka-wiring.js";
import { testLogger } from "../src/testing/index.js";
import {
  buildEvent,
  createRecorder,
  describeEventBusContract,
  type EventBusFixture,
  eventually,
  type ObservedDeadLetter,
  toMessage,
} from "./event-bus.contract.js";

const MAX_ATTEMPTS = 3;

describeEventBusContract("in-process", async () => {
  const bus = createInProcessEventBus({ logger: testLogger(), maxAttempts: MAX_ATTEMPTS });
  return {
    bus,
    maxAttempts: MAX_ATTEMPTS,
    newTopic: async () => `topic-${randomUUID()}`,
    deadLetters: async (topic) =>
      bus.deadLetters
        .filter((d) => d.topic === topic)
        .map((d) => ({
          group: d.group,
          eventId: decodeEnvelope(d.message.value).eventId,
          attempts: d.attempts,
          error: d.error,
        })),
    // One process, one bus: publishing through it is all there is to "another publisher".
    otherPublisher: async () => ({ publisher: bus, close: async () => {} }),
    close: async () => {},
  } satisfies EventBusFixture;
});

describe("kafka event bus (real broker)", () => {
  let kafka: RunningKafka;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "checkout-saga-test-kafka-"));
    // Provisions Kafka itself when needed: the jars come from the cache after the first run.
    kafka = await startKafka({ dataDir });
  }, 600_000);

  afterAll(async () => {
    await kafka?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  const busOptions = (overrides: { maxAttempts?: number } = {}) => ({
    // As a SCRAM user, as the services are: the adapter is tested with credentials.
    ...kafka.connection(),
    clientId: `test-${randomUUID()}`,
    logger: testLogger("kafka-bus"),
    maxAttempts: overrides.maxAttempts ?? MAX_ATTEMPTS,
    retryDelayMs: 20,
  });

  /** A fresh topic with 3 partitions and its dead-letter topic. */
  async function newTopic(): Promise<string> {
    const topic = `test-${randomUUID()}`;
    await createKafkaTopics(kafka.admin, [
      { topic, partitions: 3 },
      { topic: deadLetterTopic(topic), partitions: 1 },
    ]);
    return topic;
  }

  describeEventBusContract("kafka", async () => {
    const bus = createKafkaEventBus(busOptions());
    const observers = new Map<string, DeadLetterObserver>();
    return {
      bus,
      maxAttempts: MAX_ATTEMPTS,
      newTopic,
      async deadLetters(topic) {
        let observer = observers.get(topic);
        if (!observer) {
          observer = await observeDeadLetters(kafka.connection(), topic);
          observers.set(topic, observer);
        }
        return observer.letters;
      },
      async otherPublisher() {
        const publisher = createKafkaEventBus(busOptions());
        return { publisher, close: () => publisher.close() };
      },
      async close() {
        await Promise.all([...observers.values()].map((o) => o.close()));
        await bus.close();
      },
    } satisfies EventBusFixture;
  });

  describe("kafka specifics", () => {
    let bus: KafkaEventBus;
    let observer: DeadLetterObserver | undefined;

    beforeEach(() => {
      bus = createKafkaEventBus(busOptions());
      observer = undefined;
    });

    afterEach(async () => {
      await observer?.close();
      await bus.close();
    });

    it("has the whole batch on the broker when publish resolves", async () => {
      const topic = await newTopic();

      await bus.publish(
        topic,
        ["u1", "u2", "u3", "u4", "u5"].flatMap((key) => [0, 1].map((seq) => toMessage(buildEvent(key, seq)))),
      );

      const admin = new Kafka({ clientId: "test-admin", ...kafka.admin, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(10);
      } finally {
        await admin.disconnect();
      }
    });

    it("rejects a publish to a topic that does not exist, and does not create it", async () => {
      const topic = `missing-${randomUUID()}`;

      await expect(bus.publish(topic, [toMessage(buildEvent("u1", 0))])).rejects.toThrow();

      const admin = new Kafka({ clientId: "test-admin", ...kafka.admin, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        expect(await admin.listTopics()).not.toContain(topic);
      } finally {
        await admin.disconnect();
      }
    });

    it("sends an undecodable message straight to the dead-letter topic, and the partition moves on", async () => {
      const topic = await newTopic();
      const group = `orders-${topic}`;
      const recorder = createRecorder();
      const subscription = await bus.subscribe({ topic, group, handler: recorder.handler });
      const after = buildEvent("u1", 1);
      const raw = new Kafka({ clientId: "test-raw", ...kafka.connection(), logLevel: logLevel.NOTHING }).producer();
      await raw.connect();
      try {
        await raw.send({
          topic,
          messages: [{ key: "u1", value: Buffer.from("not a protobuf envelope"), headers: { origin: "test" } }],
        });
        await bus.publish(topic, [toMessage(after)]);
      } finally {
        await raw.disconnect();
      }

      observer = await observeDeadLetters(kafka.connection(), topic);
      await eventually(() => expect(observer?.raw).toHaveLength(1));
      await eventually(() => expect(recorder.distinctIds()).toEqual(new Set([after.eventId])));
      await subscription.close();

      const parked = observer.raw[0]!;
      expect(parked.key).toBe("u1");
      expect(parked.value).toBe("not a protobuf envelope");
      expect(parked.headers.origin).toBe("test");
      expect(parked.reason).toMatchObject({ topic, offset: "0", group, attempts: 0 });
      expect(parked.reason.error).toMatch(/^undecodable: /);
      expect(parked.headers[DEAD_LETTER_HEADERS.originalPartition]).toBe(String(parked.reason.partition));
    });

    it("samples the group's lag: messages not yet committed, back to 0 once handled", async () => {
      const topic = await newTopic();
      const group = `lag-${topic}`;
      let release: () => void = () => {};
      const held = new Promise<void>((r) => {
        release = r;
      });
      const samples: number[] = [];
      const subscription = await bus.subscribe({
        topic,
        group,
        // Holds the first message, so the rest of the batch waits uncommitted.
        handler: () => held,
        observer: { delivered: () => {}, lag: ({ messages }) => void samples.push(messages) },
      });
      try {
        await bus.publish(
          topic,
          [0, 1, 2, 3].map((seq) => toMessage(buildEvent("u1", seq))),
        );
        await eventually(() => expect(samples.at(-1)).toBe(4), 15_000);
        release();
        await eventually(() => expect(samples.at(-1)).toBe(0), 15_000);
      } finally {
        release();
        await subscription.close();
      }
    }, 40_000);

    it("commits a batch once, after its last message, not message by message", async () => {
      const topic = await newTopic();
      const group = `orders-${topic}`;
      const events = Array.from({ length: 10 }, (_, seq) => buildEvent("u1", seq));
      // One publish of one key, before anyone consumes: one batch on one partition.
      await bus.publish(topic, events.map(toMessage));
      const commits = recordOffsetCommits(topic);
      let release: () => void = () => {};
      const held = new Promise<void>((r) => {
        release = r;
      });
      const handled: string[] = [];
      const subscription = await bus.subscribe({
        topic,
        group,
        handler: async (event) => {
          if (event.eventId === events[5]?.eventId) await held;
          handled.push(event.eventId);
        },
      });
      try {
        await eventually(() => expect(handled).toHaveLength(5));
        await sleep(500);
        expect(commits.offsets).toEqual([]);

        release();
        await eventually(() => expect(commits.offsets).toHaveLength(1));
        expect(handled).toHaveLength(10);
        expect(commits.offsets[0]?.offset).toBe("10");
      } finally {
        release();
        await subscription.close();
        commits.stop();
      }
      // Closing had nothing left to commit.
      expect(commits.offsets).toHaveLength(1);
    });

    it("loses nothing when a consumer is killed mid-batch: its group's next consumer gets the whole batch again", async () => {
      const topic = await newTopic();
      const group = `orders-${topic}`;
      const events = Array.from({ length: 10 }, (_, seq) => buildEvent("u1", seq));
      await bus.publish(topic, events.map(toMessage));

      const handledBeforeKill = await runConsumerUntilKilled({ env: kafka.env(), topic, group, killAt: 5 });
      expect(handledBeforeKill).toEqual(events.slice(0, 4).map((e) => e.eventId));

      const next = createRecorder();
      // Gets the partition once the killed member's session (10 s) has expired.
      const resumed = await bus.subscribe({ topic, group, handler: next.handler });
      try {
        // The unfinished messages, and (uncommitted) the four it had handled: at least once, in order.
        await eventually(() => expect(next.firstDeliveryOrder("u1")).toEqual(events.map((e) => e.eventId)), 30_000);
      } finally {
        await resumed.close();
      }
    }, 60_000);

    it("close() commits the message whose handler it waited for: the group's next consumer starts after it", async () => {
      const topic = await newTopic();
      const group = `orders-${topic}`;
      const events = [0, 1, 2].map((seq) => buildEvent("u1", seq));
      await bus.publish(topic, events.map(toMessage));
      let release: () => void = () => {};
      const held = new Promise<void>((r) => {
        release = r;
      });
      let started = false;
      const first = await bus.subscribe({
        topic,
        group,
        handler: async (event) => {
          if (event.eventId !== events[0]?.eventId) return;
          started = true;
          await held;
        },
      });
      await eventually(() => expect(started).toBe(true));
      const closed = first.close();
      release();
      await closed;

      const next = createRecorder();
      const resumed = await bus.subscribe({ topic, group, handler: next.handler });
      try {
        await eventually(() => expect(next.distinctIds()).toEqual(new Set(events.slice(1).map((e) => e.eventId))));
        await sleep(200);
        expect(next.attempts(events[0]!.eventId)).toBe(0);
      } finally {
        await resumed.close();
      }
    });

    it("commits only after the handler succeeded: an event still failing at close goes to the group's next consumer", async () => {
      // Retries go on for as long as the test runs: only close() ends them.
      const patient = createKafkaEventBus(busOptions({ maxAttempts: 1_000 }));
      try {
        const topic = await newTopic();
        const group = `orders-${topic}`;
        const handled = buildEvent("u1", 0);
        const stuck = buildEvent("u1", 1);
        const first = createRecorder({ fails: (id) => id === stuck.eventId });
        const subscription = await patient.subscribe({ topic, group, handler: first.handler });
        await patient.publish(topic, [toMessage(handled), toMessage(stuck)]);
        await eventually(() => expect(first.attempts(stuck.eventId)).toBeGreaterThanOrEqual(2));
        await subscription.close();

        const next = createRecorder();
        const resumed = await patient.subscribe({ topic, group, handler: next.handler });
        await eventually(() => expect(next.distinctIds()).toEqual(new Set([stuck.eventId])));
        await sleep(200);
        // The event handled before stays committed: the next consumer does not see it again.
        expect(next.attempts(handled.eventId)).toBe(0);
        await resumed.close();
      } finally {
        await patient.close();
      }
    });
  });
});

/**
 * The offsets every consumer created from now on commits for `topic`, one entry per partition
 * per commit request, seen through kafkajs's instrumentation events (the bus keeps its
 * consumers to itself, so this wraps the Kafka client's consumer factory until stop()).
 */
function recordOffsetCommits(topic: string): { offsets: PartitionOffset[]; stop(): void } {
  const offsets: PartitionOffset[] = [];
  const createConsumer = Kafka.prototype.consumer;
  const spy = vi.spyOn(Kafka.prototype, "consumer").mockImplementation(function (this: Kafka, config: ConsumerConfig) {
    const consumer = createConsumer.call(this, config);
    consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
      for (const committed of payload.topics) if (committed.topic === topic) offsets.push(...committed.partitions);
    });
    return consumer;
  });
  return { offsets, stop: () => spy.mockRestore() };
}

/**
 * Runs kafka-consumer-process.ts on `topic` as `group` until it kills itself on the `killAt`-th
 * event; resolves to the ids of the events it handled before that.
 */
async function runConsumerUntilKilled(options: {
  /** KAFKA_BROKERS and the SASL user of the consumer process. */
  env: Record<string, string>;
  topic: string;
  group: string;
  killAt: number;
}): Promise<string[]> {
  const script = fileURLToPath(new URL("./kafka-consumer-process.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    env: {
      ...process.env,
      ...options.env,
      TOPIC: options.topic,
      GROUP: options.group,
      KILL_AT: String(options.killAt),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const deadline = setTimeout(() => child.kill("SIGTERM"), 30_000);
  const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (_code, exitSignal) => resolve(exitSignal));
  }).finally(() => clearTimeout(deadline));
  if (signal !== "SIGKILL") throw new Error(`the consumer process was not killed mid-batch (${signal}): ${stderr}`);
  return [...stdout.matchAll(/^handled (\S+)$/gm)].map((m) => m[1] ?? "");
}

interface DeadLetterObserver {
  letters: ObservedDeadLetter[];
  raw: {
    key: string;
    value: string;
    headers: Record<string, string>;
    reason: ReturnType<typeof readDeadLetterReason>;
  }[];
  close(): Promise<void>;
}

/** Reads `<topic>.dlq` from the beginning with a group of its own, decoding each dead letter. */
async function observeDeadLetters(connection: KafkaConnection, topic: string): Promise<DeadLetterObserver> {
  const consumer: Consumer = new Kafka({ clientId: "test-dlq", ...connection, logLevel: logLevel.NOTHING }).consumer({
    groupId: `dlq-observer-${randomUUID()}`,
    maxWaitTimeInMs: 500,
  });
  const observer: DeadLetterObserver = {
    letters: [],
    raw: [],
    close: () => consumer.disconnect(),
  };
  await consumer.connect();
  await consumer.subscribe({ topics: [deadLetterTopic(topic)], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const reason = readDeadLetterReason(message.headers);
      const headers = Object.fromEntries(
        Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
      );
      observer.raw.push({ key: String(message.key), value: String(message.value), headers, reason });
      let eventId = "";
      try {
        eventId = decodeEnvelope(message.value ?? new Uint8Array()).eventId;
      } catch {
        // undecodable: it has no event id to report
      }
      observer.letters.push({ group: reason.group, eventId, attempts: reason.attempts, error: reason.error });
    },
  });
  return observer;
}
