import type { EventEnvelope } from "../gen/checkoutsaga/events/v1/events_pb.js";
import type { Logger } from "../logger.js";
import { decodeEnvelope } from "./envelope.js";
import type {
  ConsumerObserver,
  DeadLetter,
  DeliveryOutcome,
  EventHandler,
  EventMessage,
  EventPublisher,
  EventSubscriber,
  Subscription,
} from "./event-bus.js";

interface Subscriber {
  topics: readonly string[];
  group: string;
  handler: EventHandler;
  inFlight: Set<Promise<void>>;
  observer?: ConsumerObserver;
}

export interface InProcessEventBus extends EventPublisher, EventSubscriber {
  readonly deadLetters: readonly DeadLetter[];
  /**
   * Takes `parked` out of the dead letters and delivers it to its group's handler again, up to
   * `maxAttempts` times; one that keeps failing is parked again. False, leaving it as it is,
   * when it is no longer parked (sent back already) or its group no longer subscribes.
   */
  redeliver(parked: DeadLetter): Promise<boolean>;
}

/**
 * The embedded-mode bus. `publish` delivers to every subscribed group and resolves only after
 * each handler finished, so "published" in the outbox means "applied". A handler that throws
 * makes publish reject (the relay retries later; handlers dedupe), until a message has failed
 * `maxAttempts` times for a group: then it is parked as a dead letter and the rest flows on.
 */
export function createInProcessEventBus(options: { logger: Logger; maxAttempts?: number }): InProcessEventBus {
  const maxAttempts = options.maxAttempts ?? 5;
  const groups = new Map<string, Subscriber>();
  const attempts = new Map<string, number>();
  const deadLetters: DeadLetter[] = [];

  async function deliver(sub: Subscriber, topic: string, message: EventMessage) {
    const observe = (outcome: DeliveryOutcome) => sub.observer?.delivered({ topic, group: sub.group, outcome });
    let event: EventEnvelope;
    try {
      event = decodeEnvelope(message.value);
      if (event.eventId === "") throw new Error("event has no event_id");
    } catch (err) {
      // Retrying cannot make bytes decode: park it at once, as the Kafka adapter does.
      deadLetters.push({
        topic,
        group: sub.group,
        message,
        error: String(err),
        attempts: 0,
        parkedAt: new Date(),
      });
      observe("dead_lettered");
      options.logger.error({ err, group: sub.group }, "undecodable event dead-lettered");
      return;
    }
    const attemptKey = `${sub.group}/${event.eventId}`;
    try {
      const run = sub.handler(event);
      sub.inFlight.add(run);
      try {
        await run;
      } finally {
        sub.inFlight.delete(run);
      }
      attempts.delete(attemptKey);
      observe("ok");
    } catch (err) {
      const n = (attempts.get(attemptKey) ?? 0) + 1;
      attempts.set(attemptKey, n);
      if (n < maxAttempts) {
        observe("failed");
        throw err;
      }
      attempts.delete(attemptKey);
      deadLetters.push({
        topic,
        group: sub.group,
        message,
        error: String(err),
        attempts: n,
        parkedAt: new Date(),
      });
      observe("dead_lettered");
      options.logger.error({ err, eventId: event.eventId, group: sub.group, attempts: n }, "event dead-lettered");
    }
  }

  return {
    deadLetters,
    async redeliver(parked) {
      const index = deadLetters.indexOf(parked);
      const sub = groups.get(parked.group);
      if (index < 0 || !sub) return false;
      deadLetters.splice(index, 1);
      // deliver resolves once applied or parked again, and throws on a failure with attempts left.
      let done = false;
      while (!done)
        done = await deliver(sub, parked.topic, parked.message).then(
          () => true,
          () => false,
        );
      return true;
    },
    async publish(topic, messages) {
      const subs = [...groups.values()].filter((s) => s.topics.includes(topic));
      // Order matters per key only (as on a Kafka partition): keys go in parallel, each key's
      // messages in sequence; groups are independent of each other.
      const byKey = new Map<string, EventMessage[]>();
      for (const m of messages) {
        const keyed = byKey.get(m.key);
        if (keyed) keyed.push(m);
        else byKey.set(m.key, [m]);
      }
      await Promise.all(
        [...byKey.values()].map(async (keyed) => {
          for (const message of keyed) await Promise.all(subs.map((s) => deliver(s, topic, message)));
        }),
      );
    },
    async subscribe({ topic, group, handler, observer }): Promise<Subscription> {
      if (groups.has(group)) throw new Error(`group ${group} is already subscribed`);
      const sub: Subscriber = { topics: [topic].flat(), group, handler, inFlight: new Set<Promise<void>>(), observer };
      groups.set(group, sub);
      return {
        async close() {
          groups.delete(group);
          await Promise.allSettled([...sub.inFlight]);
        },
      };
    },
  };
}
