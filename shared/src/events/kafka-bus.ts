import { setTimeout as sleep } from "node:timers/promises";
import {
  type Admin,
  type EachBatchPayload,
  Kafka,
  type KafkaMessage,
  logLevel,
  Partitioners,
  type Producer,
} from "kafkajs";
import type { EventEnvelope } from "../gen/checkoutsaga/events/v1/events_pb.js";
import type { Logger } from "../logger.js";
import { startPeriodicTask } from "../periodic-task.js";
import { backoffDelay } from "../resilience/backoff.js";
import { decodeEnvelope } from "./envelope.js";
import type {
  BusReadiness,
  ConsumerObserver,
  DeliveryOutcome,
  EventHandler,
  EventMessage,
  EventPublisher,
  EventSubscriber,
  Subscription,
} from "./event-bus.js";
import { buildDeadLetterMessage, type DeadLetterReason, deadLetterTopic } from "./kafka-dead-letter.js";
import { kafkaLogCreator } from "./kafka-log.js";
import type { KafkaSasl } from "./kafka-wiring.js";

export interface KafkaEventBusOptions {
  brokers: string[];
  /** Who the bus authenticates as (KAFKA_USERNAME …); anonymous when undefined. */
  sasl?: KafkaSasl;
  clientId: string;
  logger: Logger;
  /** Handler attempts per message before it is dead-lettered (default 5). */
  maxAttempts?: number;
  /** Delay before the first retry of a failed handler; doubles per attempt (default 200 ms). */
  retryDelayMs?: number;
  /** Cap on the retry delay (default 5 s). */
  maxRetryDelayMs?: number;
  /** Times kafkajs retries a failed produce before publish rejects (default 5). */
  publishRetries?: number;
  /** Partitions one consumer works on at once, each still strictly in order (default 3). */
  partitionsConsumedConcurrently?: number;
}

export interface KafkaEventBus extends EventPublisher, EventSubscriber, BusReadiness {
  /** Closes every subscription (letting in-flight handlers finish), then the producer and the readiness client. */
  close(): Promise<void>;
}

/**
 * The production event bus on Kafka, at least once end to end.
 *
 * Publishing: an idempotent producer sends each `publish` call as one batch with acks from all
 * in-sync replicas, so it resolves only once the broker has the messages. Topics are never
 * auto-created.
 *
 * Consuming: one consumer per subscription (its group), each partition's messages in order, one
 * at a time. A batch's offsets are committed once, when the batch ends (done, or cut short by
 * close() or a rebalance), and only up to the last message whose handler resolved: a crash
 * redelivers the batch's handled messages (handlers are idempotent) but loses none. A failing
 * handler is retried with exponential backoff, then the message is copied to `<topic>.dlq` (see
 * kafka-dead-letter.ts) and counts as handled, so the partition moves on. A message that does
 * not decode goes straight there.
 * Create each topic's `.dlq` with the topic: while it is missing, dead-lettering fails and the
 * message is redelivered (the partition waits rather than loses it).
 */
/** How often a subscription samples its group's lag (when its observer wants it). */
const LAG_SAMPLE_MS = 5_000;

export function createKafkaEventBus(options: KafkaEventBusOptions): KafkaEventBus {
  const maxAttempts = options.maxAttempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
  const logger = options.logger.child({ component: "kafka-event-bus" });
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    sasl: options.sasl,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(options.logger),
  });
  const producer = kafka.producer({
    idempotent: true,
    // Idempotence keeps order across retries only with one request in flight per connection.
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: options.publishRetries ?? 5 },
  });
  let producerReady: Promise<Producer> | undefined;
  let adminReady: Promise<Admin> | undefined;
  const subscriptions = new Set<Subscription>();

  /** Readiness: the cluster answers a metadata request (an admin client kept for it, connected on first use). */
  async function ready(): Promise<void> {
    const admin = await adminClient();
    await admin.describeCluster();
  }

  /** Sums, over the topic's partitions, how far the group's committed offset trails the log end. */
  async function consumerLag(topic: string, group: string): Promise<number> {
    const admin = await adminClient();
    const [ends, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId: group, topics: [topic] }),
    ]);
    const done = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((sum, p) => {
      const at = done.get(p.partition) ?? -1;
      // -1: nothing committed yet; the group starts from the beginning (low watermark).
      const from = at < 0 ? Number(p.low) : at;
      return sum + Math.max(0, Number(p.high) - from);
    }, 0);
  }

  async function adminClient(): Promise<Admin> {
    adminReady ??= (async () => {
      // No retries: a probe wants the answer now, and asks again on its next period.
      const admin = kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      return admin;
    })().catch((err: unknown) => {
      adminReady = undefined;
      throw err;
    });
    return adminReady;
  }

  /** Connects on first use; a failed connect is forgotten so the next publish tries again. */
  function connectedProducer(): Promise<Producer> {
    producerReady ??= producer.connect().then(
      () => producer,
      (err: unknown) => {
        producerReady = undefined;
        throw err;
      },
    );
    return producerReady;
  }

  async function publish(topic: string, messages: EventMessage[]) {
    if (messages.length === 0) return;
    const ready = await connectedProducer();
    await ready.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({
        key: m.key,
        value: Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength),
        headers: m.headers,
      })),
    });
  }

  async function subscribe({
    topic,
    group,
    handler,
    observer,
  }: {
    topic: string | readonly string[];
    group: string;
    handler: EventHandler;
    observer?: ConsumerObserver;
  }) {
    const consumer = kafka.consumer({
      groupId: group,
      allowAutoTopicCreation: false,
      // How long an idle fetch waits on the broker; close() waits for it, so keep it short.
      maxWaitTimeInMs: 1_000,
      // A member that died without leaving holds its partitions this long (kafkajs default 30 s).
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
    });
    // Wakes a retry back-off early when the subscription closes.
    const closing = new AbortController();
    const deliver = createDelivery({ group, handler, observer, closing: closing.signal });
    await consumer.connect();
    try {
      // A new group starts at the beginning: nothing published before its first start is skipped.
      await consumer.subscribe({ topics: [topic].flat(), fromBeginning: true });
      await consumer.run({
        // The batch handler resolves each offset as its message is handled and commits them itself.
        autoCommit: false,
        eachBatchAutoResolve: false,
        // Partitions in parallel, each still in order: one slow handler no longer holds up every key.
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
        eachBatch: deliver,
      });
    } catch (err) {
      await consumer.disconnect();
      throw err;
    }
    // Lag is sampled, not pushed: a slow or stuck consumer must still show it.
    const sampleLag = observer?.lag
      ? startPeriodicTask(
          async () => {
            for (const t of [topic].flat()) observer.lag?.({ topic: t, group, messages: await consumerLag(t, group) });
          },
          {
            intervalMs: LAG_SAMPLE_MS,
            firstRunAfterMs: LAG_SAMPLE_MS,
            onError: () => {}, // the broker is away: readiness and the relay's back-off say so
          },
        )
      : undefined;
    let closed: Promise<void> | undefined;
    const subscription: Subscription = {
      close() {
        closed ??= (async () => {
          const sampled = sampleLag?.stop();
          closing.abort();
          // kafkajs waits for the batch in flight (it stops after its current message and
          // commits what it handled) before it leaves the group.
          await consumer.disconnect();
          await sampled;
          subscriptions.delete(subscription);
        })();
        return closed;
      },
    };
    subscriptions.add(subscription);
    return subscription;
  }

  function createDelivery(deps: {
    group: string;
    handler: EventHandler;
    observer?: ConsumerObserver;
    closing: AbortSignal;
  }) {
    const { group, handler, closing } = deps;
    const observe = (topic: string, outcome: DeliveryOutcome) => deps.observer?.delivered({ topic, group, outcome });

    async function deadLetter(delivery: Delivery, error: string, attempts: number) {
      const { topic, partition, message } = delivery;
      const reason: DeadLetterReason = { topic, partition, offset: message.offset, group, error, attempts };
      const ready = await connectedProducer();
      await ready.send({
        topic: deadLetterTopic(topic),
        acks: -1,
        messages: [buildDeadLetterMessage(message, reason)],
      });
      observe(topic, "dead_lettered");
      logger.error({ topic, partition, offset: message.offset, group, attempts, error }, "event dead-lettered");
    }

    /** Retries with back-off; false when the subscription closed first (leave the message uncommitted). */
    async function handleWithRetries(delivery: Delivery, event: EventEnvelope): Promise<boolean> {
      for (let attempt = 1; ; attempt++) {
        try {
          await handler(event);
          observe(delivery.topic, "ok");
          return true;
        } catch (err) {
          const context = { eventId: event.eventId, type: event.type, group, attempt, err };
          if (attempt >= maxAttempts) {
            await deadLetter(delivery, describe(err), attempt);
            return true;
          }
          observe(delivery.topic, "failed");
          logger.warn(context, "event handler failed; retrying");
          const delay = backoffDelay(attempt, { baseDelayMs: retryDelayMs, maxDelayMs: maxRetryDelayMs });
          const slept = await sleep(delay, true, { signal: closing }).catch(() => false);
          if (!slept) return false;
          await delivery.heartbeat();
        }
      }
    }

    /** Handled (or parked): true; false when the subscription closed first (leave it uncommitted). */
    async function deliverMessage(delivery: Delivery): Promise<boolean> {
      const decoded = decode(delivery.message.value);
      if (!(decoded instanceof Error)) return handleWithRetries(delivery, decoded);
      await deadLetter(delivery, `undecodable: ${describe(decoded)}`, 0);
      return true;
    }

    return async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning }: EachBatchPayload) => {
      const { topic, partition } = batch;
      /** Where the group resumes: just past the last message whose handling is durable. */
      let handledUpTo: string | undefined;
      try {
        for (const message of batch.messages) {
          // Closing: the rest stays uncommitted for the group's next consumer.
          if (closing.aborted || !isRunning()) break;
          if (!(await deliverMessage({ topic, partition, message, heartbeat }))) break;
          resolveOffset(message.offset);
          handledUpTo = (BigInt(message.offset) + 1n).toString();
          // kafkajs sends one only every heartbeatInterval: a long batch keeps its partition.
          await heartbeat();
        }
      } finally {
        // Also when the batch ends early (close, a rebalance, a dead letter that could not be
        // sent): what was handled is not handled again. Explicit offsets, because without them
        // this commits nothing when autoCommit is off (kafkajs#1729); and unlike
        // consumer.commitOffsets it still commits while close() is stopping the consumer.
        if (handledUpTo !== undefined) {
          await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: handledUpTo }] }] });
        }
      }
    };
  }

  return {
    publish,
    subscribe,
    ready,
    async close() {
      await Promise.all([...subscriptions].map((s) => s.close()));
      if (adminReady) {
        await adminReady.then(
          (admin) => admin.disconnect(),
          () => undefined,
        );
        adminReady = undefined;
      }
      if (producerReady) {
        await producerReady.then(
          () => producer.disconnect(),
          () => undefined,
        );
        producerReady = undefined;
      }
    },
  };
}

/** One message of a batch on its way to the handler; heartbeat keeps the partition during retries. */
interface Delivery {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat(): Promise<void>;
}

function decode(value: Buffer | null): EventEnvelope | Error {
  try {
    const event = decodeEnvelope(value ?? new Uint8Array());
    return event.eventId ? event : new Error("envelope has no event_id");
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
