import type { OutboxEvent } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import type { OutboxEventJson } from "../openapi/schemas.js";
import { isoTime } from "./json.js";

/** An outbox row as operators read it: the event, and when (if yet) the relay published it. */
export function outboxEventJson(e: OutboxEvent): OutboxEventJson {
  return {
    id: e.id,
    event_id: e.eventId,
    event_type: e.eventType,
    topic: e.topic,
    key: e.key,
    created_at: isoTime(e.createdAt),
    published_at: isoTime(e.publishedAt),
  };
}
