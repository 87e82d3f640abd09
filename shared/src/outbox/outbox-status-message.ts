import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type OutboxStatus as OutboxStatusMessage,
  OutboxStatusSchema,
} from "../gen/checkoutsaga/common/v1/common_pb.js";
import type { OutboxStatus } from "./outbox-queries.js";

/** An outbox's status as the services' GetOutboxStatus answers it, for the relay publishing to `topic`. */
export function toOutboxStatusMessage(topic: string, s: OutboxStatus): OutboxStatusMessage {
  return create(OutboxStatusSchema, {
    topic,
    pending: BigInt(s.pending),
    oldestPendingAt: s.oldestPendingAt && timestampFromDate(s.oldestPendingAt),
    oldestPendingAgeSeconds: s.oldestPendingAgeSeconds ?? 0,
    lastPublishedId: s.lastPublishedId ?? "",
    lastPublishedAt: s.lastPublishedAt && timestampFromDate(s.lastPublishedAt),
    publishedLastMinute: BigInt(s.publishedLastMinute),
    publishedLast5Minutes: BigInt(s.publishedLast5Minutes),
  });
}
