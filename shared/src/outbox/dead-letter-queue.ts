import { randomUUID } from "node:crypto";
import { type IHeaders, Kafka, type KafkaMessage, logLevel } from "kafkajs";
import { type DeadLetters, describeEventBytes, type ParkedMessage, selectParked } from "../events/dead-letters.js";
import type { EventMessage, EventPublisher } from "../events/event-bus.js";
import {
  DEAD_LETTER_HEADERS,
  type DeadLetterReason,
  deadLetterTopic,
  readDeadLetterReason,
} from "../events/kafka-dead-letter.js";
import type { KafkaSasl } from "../events/kafka-wiring.js";

/** One parked message, decoded as far as it decodes. */
export interface DeadLetterEntry {
  partition: number;
  offset: string;
  /** Not yet republished: at or after the republish group's committed offset. */
  pending: boolean;
  key: string;
  eventId?: string;
  eventType?: string;
  /** When the consumer that gave up produced it to the dead-letter topic. */
  parkedAt: Date;
  reason: DeadLetterReason;
  /** The message as it was first published: dead-letter headers removed. */
  original: EventMessage;
}

/** What `republish` did with one dead letter. */
export interface RepublishOutcome {
  entry: DeadLetterEntry;
  /** "republished" (or would be, on a dry run), or skipped: bytes that never decoded cannot be fixed by a retry. */
  action: "republished" | "skipped-undecodable";
}

const DEAD_LETTER_HEADER_NAMES = new Set<string>(Object.values(DEAD_LETTER_HEADERS));

/** Where the dead letters are and who reads them. */
export interface DeadLetterQueueOptions {
  brokers: string[];
  /** Who the reader authenticates as; anonymous when undefined. */
  sasl?: KafkaSasl;
  /** The original topic; its dead letters are on `<topic>.dlq`. */
  topic: string;
  /** The Kafka client id; also prefixes the throwaway groups `list` reads with. */
  clientId: string;
  /** The consumer group `republish` reads as: its committed offsets mark what was already sent back. */
  republishGroup: string;
  readTimeoutMs?: number;
}

/**
 * The dead-letter topic of `topic` (`<topic>.dlq`), where consumer groups park what they gave
 * up on, for an operator tool to list and send back once the cause is fixed. Read with kafkajs
 * consumer groups (kafkajs has no manual partition assignment). Each read takes a snapshot of the
 * high watermarks first and stops there, so a message dead-lettered again while republishing is
 * not picked up twice in one run.
 */
export function createDeadLetterQueue(options: DeadLetterQueueOptions) {
  const dlq = deadLetterTopic(options.topic);
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    sasl: options.sasl,
    logLevel: logLevel.NOTHING,
  });
  const readTimeoutMs = options.readTimeoutMs ?? 60_000;

  /** Per partition: where reading starts (the group's committed offset, else the low watermark) and the snapshot end. */
  async function ranges(groupId: string) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(dlq)) throw new Error(`the dead-letter topic ${dlq} does not exist on ${options.brokers}`);
      const watermarks = await admin.fetchTopicOffsets(dlq);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [dlq] });
      return watermarks.map((w) => {
        const done = committed?.partitions.find((p) => p.partition === w.partition)?.offset ?? "-1";
        const low = BigInt(w.low);
        const start = BigInt(done) >= 0n && BigInt(done) > low ? BigInt(done) : low;
        return { partition: w.partition, low, committed: start, high: BigInt(w.high) };
      });
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Reads every partition from where `groupId` stands up to the snapshot, calling `handle` per
   * message in partition order; `commit` advances the group past each handled message.
   */
  async function readRange(
    groupId: string,
    handle: (partition: number, message: KafkaMessage) => Promise<void>,
    commit: boolean,
  ): Promise<void> {
    const plan = await ranges(groupId);
    const remaining = new Map(plan.filter((p) => p.committed < p.high).map((p) => [p.partition, p.high]));
    if (remaining.size === 0) return;
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200, allowAutoTopicCreation: false });
    let finish!: () => void;
    let fail!: (err: unknown) => void;
    const finished = new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    const timer = setTimeout(
      () => fail(new Error(`reading ${dlq} did not finish within ${readTimeoutMs} ms`)),
      readTimeoutMs,
    );
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [dlq], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const high = remaining.get(partition);
          if (high === undefined || BigInt(message.offset) >= high) return;
          try {
            await handle(partition, message);
            const next = BigInt(message.offset) + 1n;
            if (commit) await consumer.commitOffsets([{ topic: dlq, partition, offset: next.toString() }]);
            if (next >= high) remaining.delete(partition);
            if (remaining.size === 0) finish();
          } catch (err) {
            remaining.clear();
            fail(err);
          }
        },
      });
      await finished;
    } finally {
      clearTimeout(timer);
      await consumer.disconnect();
    }
  }

  function toEntry(partition: number, message: KafkaMessage, pendingFrom: bigint): DeadLetterEntry {
    const headers = stringHeaders(message.headers);
    const original = Object.fromEntries(
      Object.entries(headers).filter(([name]) => !DEAD_LETTER_HEADER_NAMES.has(name)),
    );
    const value = new Uint8Array(message.value ?? Buffer.alloc(0));
    const { eventId, eventType } = describeEventBytes(value);
    const key = message.key?.toString() ?? "";
    return {
      partition,
      offset: message.offset,
      pending: BigInt(message.offset) >= pendingFrom,
      key,
      eventId,
      eventType,
      parkedAt: new Date(Number(message.timestamp)),
      reason: readDeadLetterReason(message.headers),
      original: { key, value, headers: original },
    };
  }

  return {
    topic: dlq,

    /** Every message still on the dead-letter topic, oldest first; `pending` marks those not yet republished. */
    async list(): Promise<DeadLetterEntry[]> {
      const republished = new Map(
        (await ranges(options.republishGroup)).map((p) => [p.partition, p.committed] as const),
      );
      // A throwaway group reads from the beginning and commits nothing; it is deleted afterwards.
      const reader = `${options.clientId}-list-${randomUUID()}`;
      const entries: DeadLetterEntry[] = [];
      try {
        await readRange(
          reader,
          async (partition, message) => {
            entries.push(toEntry(partition, message, republished.get(partition) ?? 0n));
          },
          false,
        );
      } finally {
        await deleteGroup(reader);
      }
      return entries;
    },

    /**
     * Sends each pending dead letter back to its original topic with its original key, value
     * and headers (same event id: groups that handled it already dedupe), then commits the
     * republish group past it. A dry run reads the same messages and sends and commits nothing.
     */
    async republish(publisher: EventPublisher | undefined, onEach: (outcome: RepublishOutcome) => void) {
      await readRange(
        options.republishGroup,
        async (partition, message) => {
          const entry = toEntry(partition, message, 0n);
          if (!entry.eventId) {
            onEach({ entry, action: "skipped-undecodable" });
            return;
          }
          await publisher?.publish(entry.reason.topic || options.topic, [entry.original]);
          onEach({ entry, action: "republished" });
        },
        publisher !== undefined,
      );
    },
  };

  async function deleteGroup(groupId: string) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.deleteGroups([groupId]);
    } catch {
      // Best effort: an empty group expires on its own.
    } finally {
      await admin.disconnect();
    }
  }
}

/** A dead-letter topic's reader and republisher. */
export type DeadLetterQueue = ReturnType<typeof createDeadLetterQueue>;

/**
 * Production's dead letters: a Kafka dead-letter topic read whole on every call (a throwaway
 * group from the beginning, see `list`), which suits a topic that stays small because an
 * operator empties it; `pending` is from the republish group's committed offsets, which
 * `republish` advances as it sends each back to its topic through `publisher`.
 */
export function createKafkaDeadLetters(
  queue: Pick<DeadLetterQueue, "topic" | "list" | "republish">,
  publisher: EventPublisher,
): DeadLetters {
  const parked = (d: DeadLetterEntry): ParkedMessage => ({
    topic: d.reason.topic,
    position: { topic: queue.topic, partition: d.partition, offset: d.offset },
    key: d.key,
    eventId: d.eventId,
    eventType: d.eventType,
    group: d.reason.group,
    error: d.reason.error,
    attempts: d.reason.attempts,
    parkedAt: d.parkedAt,
    pending: d.pending,
  });
  return {
    async list(query) {
      return selectParked((await queue.list()).map(parked), query);
    },
    async republish() {
      const republished: ParkedMessage[] = [];
      const skipped: ParkedMessage[] = [];
      // The republish group moves past skipped ones too: no longer pending either way.
      await queue.republish(publisher, ({ entry, action }) =>
        (action === "republished" ? republished : skipped).push({ ...parked(entry), pending: false }),
      );
      return { republished, skipped };
    },
  };
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}
