import { randomUUID } from "node:crypto";
import { buildEnvelope, type CheckoutEvent, encodeEnvelope, type OrderEvent } from "../events/envelope.js";
import { currentTraceContext } from "../tracing.js";

/**
 * An event to write in the same transaction as the state change it announces. The relay later
 * publishes it to `topic` with `key`, `payload` and `headers` exactly as written; consumers dedupe
 * by `eventId`, so a re-send (after a relay crash, or a replay) is harmless.
 */
export interface OutboxMessage {
  /** Unique per event (a UUID): the outbox rejects a second row with the same id. */
  eventId: string;
  /** The envelope's type name (e.g. `CheckoutCompleted`), for operators' filters. */
  eventType: string;
  /** The entity whose change this announces (a UUID), for operators' filters and replays. */
  aggregateId: string;
  topic: string;
  /** The partition key: events of one key are published in commit order. */
  key: string;
  /** The encoded event (an EventEnvelope). */
  payload: Uint8Array;
  /** Message headers, e.g. `event-id` and the `traceparent` of the work that wrote it. */
  headers: Record<string, string>;
}

/**
 * An event ready for the outbox: wrapped in the envelope (a new event id), keyed by `key`, and
 * carrying the W3C trace context of the work that made it, in the envelope and in the headers
 * (the relay copies those to Kafka), so consumers continue that trace.
 */
export function outboxEvent(event: {
  aggregateId: string;
  correlationId: string;
  occurredAt: Date;
  topic: string;
  key: string;
  payload: CheckoutEvent | OrderEvent;
}): OutboxMessage {
  const trace = currentTraceContext();
  const envelope = buildEnvelope({
    eventId: randomUUID(),
    aggregateId: event.aggregateId,
    occurredAt: event.occurredAt,
    correlationId: event.correlationId,
    ...trace,
    payload: event.payload,
  });
  return {
    eventId: envelope.eventId,
    eventType: envelope.type,
    aggregateId: event.aggregateId,
    topic: event.topic,
    key: event.key,
    payload: encodeEnvelope(envelope),
    headers: {
      "event-id": envelope.eventId,
      "event-type": envelope.type,
      "content-type": "application/x-protobuf",
      ...(trace.traceparent ? { traceparent: trace.traceparent } : {}),
      ...(trace.tracestate ? { tracestate: trace.tracestate } : {}),
    },
  };
}
