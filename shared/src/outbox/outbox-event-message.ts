import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type OutboxEvent, OutboxEventSchema } from "../gen/checkoutsaga/common/v1/common_pb.js";
import type { OutboxRecord } from "./outbox-queries.js";

/** An outbox row as operators' RPCs answer it: the event, and when (if yet) the relay published it. */
export function toOutboxEventMessage(r: OutboxRecord): OutboxEvent {
  return create(OutboxEventSchema, {
    id: r.id,
    eventId: r.eventId,
    eventType: r.eventType,
    topic: r.topic,
    key: r.key,
    createdAt: timestampFromDate(r.createdAt),
    publishedAt: r.publishedAt && timestampFromDate(r.publishedAt),
  });
}
