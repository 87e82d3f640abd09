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
