import { CHECKOUT_EVENTS_TOPIC, createDeadLetterQueue, type KafkaConnection } from "@checkout-saga/shared";

/**
 * The consumer group `dead-letters republish` reads the dead-letter topic as; its offsets mark
 * what was sent back, for the CLI and for the service's ListDeadLetters alike.
 */
const DEAD_LETTER_REPUBLISH_GROUP = "outbox-cli-dead-letters";

/**
 * checkout-events.dlq as `clientId` reads it; `clientId` also prefixes the throwaway groups a
 * list reads with, so each reader's Kafka user needs only groups of its own prefix.
 */
export function checkoutDeadLetterQueue(kafka: KafkaConnection, clientId: string) {
  return createDeadLetterQueue({
    ...kafka,
    topic: CHECKOUT_EVENTS_TOPIC,
    clientId,
    republishGroup: DEAD_LETTER_REPUBLISH_GROUP,
  });
}
