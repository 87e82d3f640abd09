import { type Amount, failedPrecondition } from "@checkout-saga/shared";

export type PaymentStatus = ChargedPayment["status"] | VoidedPayment["status"];

/** Why a charge was declined; `processing_error` is the simulated gateway fault (PAYMENT_FAILURE_RATE). */
export type DeclineCode =
  | "card_declined"
  | "insufficient_funds"
  | "expired_card"
  | "invalid_token"
  | "processing_error";

export interface PaymentMethod {
  /** "card" or "konbini". */
  type: string;
  /** card: a test token name such as `tok_visa`, never logged; konbini: empty. */
  token: string;
  /** konbini only, optional: the chain the customer means to pay at (payment.proto lists them). */
  store?: string;
}

/** What a customer needs to pay a konbini payment at the store, and whether they did. */
export interface KonbiniVoucher {
  /** 11 digits, unique among all vouchers. */
  confirmationNumber: string;
  /** From this instant on the voucher cannot be paid; a PENDING payment past it is EXPIRED. */
  expiresAt: Date;
  paidAt?: Date;
}

/** One charge attempt and what became of it. A decline is a payment too: the outcome is the record. */
export interface ChargedPayment {
  id: string;
  idempotencyKey: string;
  /** Identifies the request the key was first used with, so a reused key with another request is refused. */
  requestFingerprint: string;
  checkoutId: string;
  amount: Amount;
  method: PaymentMethod;
  /**
   * card: SUCCEEDED or DECLINED at once, REFUNDED later. konbini: PENDING until the customer pays
   * (SUCCEEDED), the voucher expires (EXPIRED) or VoidCharge cancels it (VOIDED).
   */
  status: "SUCCEEDED" | "DECLINED" | "PENDING" | "REFUNDED" | "EXPIRED" | "VOIDED";
  declineCode?: DeclineCode;
  declineMessage?: string;
  /** Set on a konbini payment unless it was DECLINED. */
  konbini?: KonbiniVoucher;
  createdAt: Date;
  refundedAt?: Date;
  refundReason?: string;
  /** Why VoidCharge cancelled a pending voucher (status VOIDED). */
  voidReason?: string;
}

/**
 * A charge undone by its idempotency key before it was made: the tombstone that makes a Charge
 * still in flight (its caller timed out and compensated) or arriving later charge nothing.
 */
export interface VoidedPayment {
  id: string;
  idempotencyKey: string;
  status: "VOIDED";
  /** When it was voided. */
  createdAt: Date;
  voidReason: string;
}

export type Payment = ChargedPayment | VoidedPayment;

/** A payment before the store has given it an id. */
export type NewPayment = Omit<ChargedPayment, "id"> | Omit<VoidedPayment, "id">;

/** Whether `payment` is a void recorded before any charge: it has no request, and no money ever moved. */
export function isVoidedBeforeCharge<P extends NewPayment | Payment>(
  payment: P,
): payment is Exclude<P, { requestFingerprint: string }> {
  return !("requestFingerprint" in payment);
}

/** A konbini payment still waiting for the customer, at `now` past its expiry: it must be EXPIRED. */
export function isPastDue(payment: Payment, now: Date): boolean {
  return (
    payment.status === "PENDING" &&
    !isVoidedBeforeCharge(payment) &&
    payment.konbini !== undefined &&
    payment.konbini.expiresAt.getTime() <= now.getTime()
  );
}

/**
 * Expiry, the one rule every path applies (the sweeper, a read, a payment, a void): a PENDING
 * payment past its expiry becomes EXPIRED; anything else stays as it is.
 */
export function expireIfDue(payment: Payment, now: Date): Payment {
  if (isVoidedBeforeCharge(payment) || !isPastDue(payment, now)) return payment;
  return { ...payment, status: "EXPIRED" };
}

/**
 * The customer pays a konbini voucher at the store: PENDING before its expiry becomes SUCCEEDED,
 * paid at `now`; past it, EXPIRED. Any other payment is returned as it is (paying twice changes
 * nothing; whether that answer is a refusal is the caller's decision).
 */
export function payAtStore(payment: Payment, now: Date): Payment {
  if (isPastDue(payment, now)) return expireIfDue(payment, now);
  if (payment.status !== "PENDING" || isVoidedBeforeCharge(payment) || !payment.konbini) return payment;
  return { ...payment, status: "SUCCEEDED", konbini: { ...payment.konbini, paidAt: now } };
}

/**
 * Refund as a state transition: SUCCEEDED becomes REFUNDED; REFUNDED and VOIDED stay as they are
 * (already undone: a retried refund is not an error); DECLINED, PENDING and EXPIRED were never
 * captured, so there is nothing to give back.
 */
export function refundPayment(payment: Payment, reason: string, at: Date): Payment {
  switch (payment.status) {
    case "SUCCEEDED":
      return { ...payment, status: "REFUNDED", refundedAt: at, refundReason: reason };
    case "REFUNDED":
    case "VOIDED":
      return payment;
    case "DECLINED":
    case "PENDING":
    case "EXPIRED":
      throw failedPrecondition("PAYMENT_NOT_REFUNDABLE", `payment ${payment.id} is ${payment.status}, not refundable`, {
        metadata: { payment_id: payment.id, status: payment.status },
      });
  }
}

/**
 * Undo by idempotency key of a payment that exists, for a caller giving up on it: a PENDING
 * konbini voucher is cancelled (VOIDED, so the customer can no longer pay it) unless it is past
 * its expiry (EXPIRED); a DECLINED or EXPIRED payment took nothing and is returned unchanged;
 * anything else is refunded as by `refundPayment`.
 */
export function voidPayment(payment: Payment, reason: string, at: Date): Payment {
  if (isPastDue(payment, at)) return expireIfDue(payment, at);
  if (payment.status === "PENDING" && !isVoidedBeforeCharge(payment) && payment.konbini) {
    return { ...payment, status: "VOIDED", voidReason: reason };
  }
  if (payment.status === "DECLINED" || payment.status === "EXPIRED") return payment;
  return refundPayment(payment, reason, at);
}
