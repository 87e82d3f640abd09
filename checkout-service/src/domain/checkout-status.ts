/**
 * Where a checkout is in the saga, as persisted. The states, their order and every allowed
 * move are defined once, by the checkout saga's definition (saga/checkout-saga.ts), which a
 * compile-time check and a test keep equal to this list.
 */
export const CHECKOUT_STATUSES = [
  "INITIATED",
  "INVENTORY_RESERVED",
  "PAYMENT_PENDING",
  "PAYMENT_COMPLETED",
  "COMPLETED",
  "COMPENSATING",
  "FAILED",
] as const;

export type CheckoutStatus = (typeof CHECKOUT_STATUSES)[number];

export const isCheckoutStatus = (value: string): value is CheckoutStatus =>
  (CHECKOUT_STATUSES as readonly string[]).includes(value);
