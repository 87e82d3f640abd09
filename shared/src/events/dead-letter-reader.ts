import { decodeEnvelope } from "./envelope.js";
import type { DeadLetter } from "./event-bus.js";

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

/** What `DeadLetterReader.list` answers: the first `limit` matches, and how many matched in all. */
export interface ParkedMessages {
  deadLetters: ParkedMessage[];
  total: number;
}

/** The dead letters of a bus, for operators: read-only, oldest first. */
export interface DeadLetterReader {
  list(query: { limit: number; includeRepublished: boolean }): Promise<ParkedMessages>;
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
 * Embedded mode's dead letters: those the in-process bus holds in memory. Nothing sends them
 * back there, so every one is pending.
 */
export function createInProcessDeadLetterReader(bus: {
  readonly deadLetters: readonly DeadLetter[];
}): DeadLetterReader {
  return {
    async list(query) {
      const parked = bus.deadLetters.map(
        (d): ParkedMessage => ({
          topic: d.topic,
          key: d.message.key,
          ...describeEventBytes(d.message.value),
          group: d.group,
          error: d.error,
          attempts: d.attempts,
          parkedAt: d.parkedAt,
          pending: true,
        }),
      );
      return selectParked(parked, query);
    },
  };
}
