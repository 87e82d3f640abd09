import type { Amount, Totals } from "@checkout-saga/shared";
import type { CheckoutItem, PaymentMethod, ShippingAddress } from "../domain/checkout-session.js";
import type { CheckoutSagaStore, CheckoutSession } from "./checkout-saga.js";

/** A new checkout as InitiateCheckout creates it. */
export interface NewCheckout {
  id: string;
  userId: string;
  total: Amount;
  totals: Totals;
  items: CheckoutItem[];
  shippingAddress: ShippingAddress;
  paymentMethod: PaymentMethod;
  stepMode: boolean;
  /** When it was initiated (the caller's clock): its creation time and first history row's. */
  createdAt: Date;
}

export interface IdempotencyRecord {
  userId: string;
  key: string;
  fingerprint: string;
  checkoutId: string;
  /** The encoded first response, once the first call had an outcome. */
  response?: Uint8Array;
}

/** Storage for the flows around the saga: creation with idempotency keys, leases, recovery. */
export interface CheckoutStore extends CheckoutSagaStore {
  /**
   * Inserts the session (INITIATED, leased to `owner`), its first history row and the
   * idempotency row in one transaction, and answers the session as written (its creator drives
   * it without reading it back). "conflict": the key was taken first; nothing was written.
   * With `retryOf`, the key (which points at that failed checkout) is moved to the new one
   * instead, and the history links them; "conflict": another retry moved it first.
   */
  create(
    checkout: NewCheckout,
    idempotency: { key: string; fingerprint: string },
    owner: string,
    options?: { retryOf?: string },
  ): Promise<CheckoutSession | "conflict">;
  findIdempotencyKey(userId: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Stores the first response of the checkout's key, unless one is stored already. */
  storeResponse(checkoutId: string, response: Uint8Array): Promise<void>;
  /** Takes the checkout's lease if it is free or expired. */
  claimLease(checkoutId: string, owner: string): Promise<boolean>;
  releaseLease(checkoutId: string, owner: string): Promise<void>;
  /** Unfinished, non-step-mode checkouts with a free lease, untouched for a while: recovery's work. */
  findRecoverable(options: { graceMs: number; attentionRetryMs: number; limit: number }): Promise<string[]>;
  /**
   * Records a payment notification by its webhook id, once: "new" the first time, "unprocessed"
   * when an earlier delivery was recorded but never acted on (it died mid-way), "processed" when
   * it was acted on before.
   */
  recordNotification(notification: PaymentNotification): Promise<"new" | "unprocessed" | "processed">;
  /** Marks the notification acted on: later deliveries of its id change nothing. */
  markNotificationProcessed(webhookId: string): Promise<void>;
  /**
   * Deletes at most `limit` notifications processed more than `retentionDays` ago, oldest first;
   * answers how many. Unprocessed ones stay, however old: a redelivery must still act on them.
   */
  deleteProcessedNotifications(batch: { retentionDays: number; limit: number }): Promise<number>;
}

/** A verified payment webhook, as the gateway passes it on. */
export interface PaymentNotification {
  webhookId: string;
  type: "payment.succeeded" | "payment.expired" | "payment.failed";
  paymentId: string;
  checkoutId: string;
}
