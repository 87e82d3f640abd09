import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ParkedMessage } from "@checkout-saga/shared";
import {
  type DeadLetter,
  DeadLetterPositionSchema,
  DeadLetterSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";

/** A parked message on the wire: what did not decode stays empty. */
export function toDeadLetterMessage(parked: ParkedMessage): DeadLetter {
  const { position } = parked;
  return create(DeadLetterSchema, {
    topic: parked.topic,
    position: position && create(DeadLetterPositionSchema, { ...position, offset: BigInt(position.offset) }),
    key: parked.key,
    eventId: parked.eventId ?? "",
    eventType: parked.eventType ?? "",
    consumerGroup: parked.group,
    error: parked.error,
    attempts: parked.attempts,
    parkedAt: timestampFromDate(parked.parkedAt),
    pending: parked.pending,
  });
}
