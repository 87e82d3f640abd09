import type { IHeaders, Message } from "kafkajs";

/** Where a consumer parks a message it gave up on: one dead-letter topic per topic. */
export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;

/** Headers a dead-lettered message carries besides its original ones. */
export const DEAD_LETTER_HEADERS = {
  error: "x-error",
  attempts: "x-attempts",
  originalTopic: "x-original-topic",
  originalPartition: "x-original-partition",
  originalOffset: "x-original-offset",
  group: "x-group",
} as const;

/** Where the message came from, why it was parked, and how often its handler ran (0: never decoded). */
export interface DeadLetterReason {
  topic: string;
  partition: number;
  offset: string;
  group: string;
  error: string;
  attempts: number;
}

/** The longest error text a header keeps: enough to diagnose, not a stack dump per message. */
const MAX_ERROR_LENGTH = 2_000;

/** The dead-letter copy of a message: same key, value and headers, plus why it was parked. */
export function buildDeadLetterMessage(
  original: { key: Buffer | null; value: Buffer | null; headers?: IHeaders },
  reason: DeadLetterReason,
): Message {
  return {
    key: original.key,
    value: original.value,
    headers: {
      ...original.headers,
      [DEAD_LETTER_HEADERS.error]: reason.error.slice(0, MAX_ERROR_LENGTH),
      [DEAD_LETTER_HEADERS.attempts]: String(reason.attempts),
      [DEAD_LETTER_HEADERS.originalTopic]: reason.topic,
      [DEAD_LETTER_HEADERS.originalPartition]: String(reason.partition),
      [DEAD_LETTER_HEADERS.originalOffset]: reason.offset,
      [DEAD_LETTER_HEADERS.group]: reason.group,
    },
  };
}

/** Reads the reason back from a dead-lettered message's headers (for tooling and tests). */
export function readDeadLetterReason(headers: IHeaders | undefined): DeadLetterReason {
  const text = (name: string) => {
    const value = headers?.[name];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? "" : first.toString();
  };
  return {
    topic: text(DEAD_LETTER_HEADERS.originalTopic),
    partition: Number(text(DEAD_LETTER_HEADERS.originalPartition)),
    offset: text(DEAD_LETTER_HEADERS.originalOffset),
    group: text(DEAD_LETTER_HEADERS.group),
    error: text(DEAD_LETTER_HEADERS.error),
    attempts: Number(text(DEAD_LETTER_HEADERS.attempts)),
  };
}
