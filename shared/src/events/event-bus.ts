import type { EventEnvelope } from "../gen/checkoutsaga/events/v1/events_pb.js";

/** The topic every checkout event goes to. */
export const CHECKOUT_EVENTS_TOPIC = "checkout-events";

/** The topic the orders service announces order status changes and cancellations on. */
export const ORDER_EVENTS_TOPIC = "order-events";

/** One encoded event on its way to the broker: key decides ordering (the user id). */
export interface EventMessage {
  key: string;
  /** An encoded EventEnvelope. */
  value: Uint8Array;
  headers?: Record<string, string>;
}

/** Where the outbox relay hands events. `publish` resolves only once the bus has accepted them durably. */
export interface EventPublisher {
  publish(topic: string, messages: EventMessage[]): Promise<void>;
}

/**
 * Handles one event. Resolving means its effect is durable, so the bus may move past it;
 * throwing asks for a redelivery. Handlers must be idempotent by event id.
 */
export type EventHandler = (event: EventEnvelope) => Promise<void>;

export interface Subscription {
  /** Stops delivering; resolves once the handler in flight (if any) has finished. */
  close(): Promise<void>;
}

/** How one delivery of a message to a group ended: applied, failed (to be retried), or parked as a dead letter. */
export type DeliveryOutcome = "ok" | "failed" | "dead_lettered";

/** Told about every delivery a subscription makes (its service's consumer metrics). */
export interface ConsumerObserver {
  delivered(delivery: { topic: string; group: string; outcome: DeliveryOutcome }): void;
  /** Messages on the topic not yet committed by the group, summed over partitions (sampled). */
  lag?(sample: { topic: string; group: string; messages: number }): void;
}

export interface EventSubscriber {
  subscribe(options: {
    /**
     * The topic the group reads, or its topics: a group reading several reads them in one
     * subscription (Kafka assigns a group's members only the topics its leader subscribed to).
     */
    topic: string | readonly string[];
    group: string;
    handler: EventHandler;
    observer?: ConsumerObserver;
  }): Promise<Subscription>;
}

/** A bus whose broker can be asked whether it answers (readiness); the in-process bus has none. */
export interface BusReadiness {
  /** Resolves when the broker answers; rejects when it does not. */
  ready(): Promise<void>;
}

/** A message that kept failing, parked so later events can flow. */
export interface DeadLetter {
  topic: string;
  group: string;
  message: EventMessage;
  error: string;
  attempts: number;
  parkedAt: Date;
}
