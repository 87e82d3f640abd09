import { backoffDelay, type PaymentWebhookType } from "@checkout-saga/shared";
import type { RandomSource } from "./charge-outcome.js";

/** One webhook on its way: claimed by a delivery worker for an attempt. */
export interface WebhookDelivery {
  /** Sent as `webhook-id`, the same on every attempt, so the receiver can drop a repeat. */
  id: string;
  paymentId: string;
  type: PaymentWebhookType;
  /** The JSON body, exactly as written with the payment's change; every attempt sends these bytes. */
  body: string;
  /** Attempts made so far, this one included. */
  attempts: number;
  createdAt: Date;
}

/** How long and how often a webhook the receiver does not take is tried again. */
export interface WebhookRetryPolicy {
  /** The delay after the first failed attempt; it doubles with each one after. */
  baseDelayMs: number;
  /** The delays stop growing here. */
  maxDelayMs: number;
  /** After this many failed attempts the delivery is given up (dead). */
  maxAttempts: number;
  /** No attempt is made later than this after the change it announces; the delivery is dead instead. */
  maxAgeMs: number;
}

/** What follows a failed attempt: another one at `retryAt`, or none (dead, with why). */
export type AfterFailure = { retryAt: Date } | { deadBecause: string };

/**
 * The pause after failed attempt number `attempt` (1-based): base × 2^(attempt−1), capped at
 * `maxDelayMs` (1 s, 2 s, 4 s, … 5 min by default), then jittered to between half and all of that
 * (shared `backoffDelay`), so deliveries that failed together do not all come back together.
 */
export function webhookRetryDelayMs(attempt: number, policy: WebhookRetryPolicy, random: RandomSource): number {
  return backoffDelay(attempt, policy, random);
}

/** Decides what follows `delivery`'s failed attempt at `now`: a retry while the policy allows one, else dead. */
export function afterFailedAttempt(
  delivery: Pick<WebhookDelivery, "attempts" | "createdAt">,
  now: Date,
  policy: WebhookRetryPolicy,
  random: RandomSource,
): AfterFailure {
  if (delivery.attempts >= policy.maxAttempts) {
    return { deadBecause: `gave up after ${delivery.attempts} attempts` };
  }
  const retryAt = new Date(now.getTime() + webhookRetryDelayMs(delivery.attempts, policy, random));
  const giveUpAt = delivery.createdAt.getTime() + policy.maxAgeMs;
  if (retryAt.getTime() > giveUpAt) {
    return { deadBecause: `gave up ${Math.round(policy.maxAgeMs / 1_000)} s after the change it announces` };
  }
  return { retryAt };
}

/** Where deliveries wait. Claims are exclusive: two workers never hold the same delivery at once. */
export interface WebhookDeliveryStore {
  /**
   * Claims up to `limit` pending deliveries due by `now`, oldest due first, skipping any another
   * worker is claiming: each gets its attempt counted and is not due again before `leaseUntil`,
   * so a worker that dies mid-attempt leaves it to the next claim after that.
   */
  claimDue(now: Date, limit: number, leaseUntil: Date): Promise<WebhookDelivery[]>;
  /** The receiver took it: DELIVERED for good. */
  recordDelivered(delivery: WebhookDelivery, at: Date): Promise<void>;
  /**
   * The attempt failed with `error`: pending again from `next.retryAt`, or DEAD. Changes nothing
   * if the delivery has been claimed again since (its lease ran out) or was delivered meanwhile.
   */
  recordFailed(delivery: WebhookDelivery, error: string, at: Date, next: AfterFailure): Promise<void>;
  /** How many deliveries are pending (neither delivered nor dead). */
  pendingCount(): Promise<number>;
}
