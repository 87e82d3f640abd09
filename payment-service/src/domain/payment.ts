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
  /** Only "card" is accepted. */
  type: string;
  /** A test token name such as `tok_visa`; never logged. */
  token: string;
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
  status: "SUCCEEDED" | "DECLINED" | "PENDING" | "REFUNDED";
  declineCode?: DeclineCode;
  declineMessage?: string;
  createdAt: Date;
  refundedAt?: Date;
  refundReason?: string;
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

/**
 * Refund as a state transition: SUCCEEDED becomes REFUNDED; REFUNDED and VOIDED stay as they are
 * (already undone: a retried refund is not an error); DECLINED and PENDING were never captured,
 * so there is nothing to give back.
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
      throw failedPrecondition("PAYMENT_NOT_REFUNDABLE", `payment ${payment.id} is ${payment.status}, not refundable`, {
        metadata: { payment_id: payment.id, status: payment.status },
      });
  }
}

/**
 * Undo by idempotency key of a payment that exists: as a refund, except that a DECLINED payment
 * is returned unchanged too — it took nothing, so it is already as undone as it can be.
 */
export function voidPayment(payment: Payment, reason: string, at: Date): Payment {
  return payment.status === "DECLINED" ? payment : refundPayment(payment, reason, at);
}
