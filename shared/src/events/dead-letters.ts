import { decodeEnvelope } from "./envelope.js";
import type { DeadLetter } from "./event-bus.js";
import type { InProcessEventBus } from "./in-process-bus.js";

/** One parked message as an operator sees it, whichever bus parked it. */
export interface ParkedMessage {
  /** The topic it was consumed from. */
  topic: string;
  /** Where it sits on the dead-letter topic; absent where the bus keeps it in memory. */
  position?: { topic: string; partition: number; offset: string };
  key: string;
  /** Absent when its bytes do not decode as an event. */
  eventId?: string;
  eventType?: string;
  /** The consumer group that gave up on it. */
  group: string;
  error: string;
  /** How often its handler ran (0: it never decoded). */
  attempts: number;
  parkedAt: Date;
  /** Not yet sent back to its topic. */
  pending: boolean;
}

/** What `DeadLetters.list` answers: the first `limit` matches, and how many matched in all. */
export interface ParkedMessages {
  deadLetters: ParkedMessage[];
  total: number;
}

/** What `DeadLetters.republish` did, oldest first. */
export interface RepublishedMessages {
  /** Sent back: to their topic on Kafka, to the group that parked them in process. */
  republished: ParkedMessage[];
  /** Not sent: bytes that never decoded cannot be fixed by a retry. */
  skipped: ParkedMessage[];
}

/** The dead letters of a bus, for operators: listed oldest first, and sent back once the cause is fixed. */
export interface DeadLetters {
  list(query: { limit: number; includeRepublished: boolean }): Promise<ParkedMessages>;
  /**
   * Sends every pending dead letter back with its original key, value and headers (same event
   * id: groups that handled it already dedupe); one that fails again is parked again.
   */
  republish(): Promise<RepublishedMessages>;
}

/** The event id and type of encoded bytes, as far as they decode (a poison message may not). */
export function describeEventBytes(value: Uint8Array): { eventId?: string; eventType?: string } {
  try {
    const envelope = decodeEnvelope(value);
    return { eventId: envelope.eventId || undefined, eventType: envelope.type || undefined };
  } catch {
    return {};
  }
}

/** Keeps the first `limit` of what the query asks for, and counts them all. */
export function selectParked(
  parked: ParkedMessage[],
  query: { limit: number; includeRepublished: boolean },
): ParkedMessages {
  const matching = parked.filter((p) => query.includeRepublished || p.pending);
  return { deadLetters: matching.slice(0, query.limit), total: matching.length };
}

/**
 * Embedded mode's dead letters: those the in-process bus holds in memory, every one pending.
 * Republishing delivers each to the group that parked it and forgets it, so the list shows only
 * what is still (or again) parked; an undecodable one stays, as nothing can fix its bytes.
 */
export function createInProcessDeadLetters(bus: Pick<InProcessEventBus, "deadLetters" | "redeliver">): DeadLetters {
  return {
    async list(query) {
      return selectParked(bus.deadLetters.map(parkedInProcess), query);
    },
    async republish() {
      const republished: ParkedMessage[] = [];
      const skipped: ParkedMessage[] = [];
      // A snapshot: what is parked again while this runs waits for the next republish.
      for (const parked of [...bus.deadLetters]) {
        const message = parkedInProcess(parked);
        if (!message.eventId) skipped.push(message);
        else if (await bus.redeliver(parked)) republished.push({ ...message, pending: false });
      }
      return { republished, skipped };
    },
  };
}

function parkedInProcess(d: DeadLetter): ParkedMessage {
  return {
    topic: d.topic,
    key: d.message.key,
    ...describeEventBytes(d.message.value),
    group: d.group,
    error: d.error,
    attempts: d.attempts,
    parkedAt: d.parkedAt,
    pending: true,
  };
}
