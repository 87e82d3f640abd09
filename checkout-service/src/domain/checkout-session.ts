import type { Amount, ShippingAddress, Totals } from "@checkout-saga/shared";

/** A line as bought: name and unit price are a snapshot of the catalog at checkout time. */
export interface CheckoutItem {
  productId: string;
  name: string;
  quantity: number;
  unitPriceMinor: number;
}

/** The same address model as the order's (shared), so nothing is lost between the two. */
export type { ShippingAddress };

/**
 * How the customer pays. A card's token is a secret: stored to charge after a restart, never
 * shown or logged. konbini (pay in cash at a convenience store) has no token, and may name the
 * chain the customer means to pay at.
 */
export type PaymentMethod = { type: "card"; token: string } | { type: "konbini"; store?: string };

/** What the customer needs to pay a pending konbini payment at the store (the provider's voucher). */
export interface KonbiniVoucher {
  confirmationNumber: string;
  /** The chain chosen at checkout; undefined: any. */
  store?: string;
  /** The voucher cannot be paid from this instant on. */
  expiresAt: Date;
}

export interface LineShortage {
  productId: string;
  requested: number;
  available: number;
}

/**
 * Why a checkout failed; `code` is stable (CHECKOUT_IN_PROGRESS, POINTS_INSUFFICIENT,
 * OUT_OF_STOCK, PAYMENT_DECLINED, PAYMENT_EXPIRED, PAYMENT_FAILED, RESERVATION_LOST, STEP_FAILED).
 */
export interface CheckoutFailure {
  code: string;
  message: string;
  shortages?: LineShortage[];
  declineCode?: string;
  /** CHECKOUT_IN_PROGRESS: the checkouts holding the cart lines. */
  heldBy?: string[];
  /** POINTS_INSUFFICIENT: the user's balance when the redemption was refused. */
  pointsBalance?: number;
}

export interface Transition<Status extends string = string> {
  /** Absent on the row that records the checkout's creation. */
  from?: Status;
  to: Status;
  reason: string;
  at: Date;
}

/**
 * One checkout, as persisted: the saga's state plus everything needed to resume it. `Status` is
 * the saga's state type, which its definition names (saga/checkout-saga.ts's CheckoutSession);
 * domain code and the steps need no more than a string.
 */
export interface CheckoutRecord<Status extends string = string> {
  id: string;
  userId: string;
  status: Status;
  total: Amount;
  /** Subtotal, points, total and tax contained; absent on checkouts created before totals existed. */
  totals?: Totals;
  items: CheckoutItem[];
  shippingAddress: ShippingAddress;
  paymentMethod: PaymentMethod;
  reservationId?: string;
  paymentId?: string;
  /** A konbini payment's voucher, once the provider issued it. */
  konbini?: KonbiniVoucher;
  failure?: CheckoutFailure;
  stepMode: boolean;
  needsAttention: boolean;
  compensationAttempts: number;
  paymentDeadline?: Date;
  createdAt: Date;
  updatedAt: Date;
  /** Oldest first; empty when loaded for a listing. */
  history: Transition<Status>[];
}
