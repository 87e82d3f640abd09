import { type Amount, failedPrecondition } from "@checkout-saga/shared";

export type PaymentStatus = "SUCCEEDED" | "DECLINED" | "PENDING" | "REFUNDED";

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
export interface Payment {
  id: string;
  idempotencyKey: string;
  /** Identifies the request the key was first used with, so a reused key with another request is refused. */
  requestFingerprint: string;
  checkoutId: string;
  amount: Amount;
  method: PaymentMethod;
  status: PaymentStatus;
  declineCode?: DeclineCode;
  declineMessage?: string;
  createdAt: Date;
  refundedAt?: Date;
  refundReason?: string;
}

/** A payment before the store has given it an id. */
export type NewPayment = Omit<Payment, "id">;

/**
 * Refund as a state transition: SUCCEEDED becomes REFUNDED; REFUNDED stays as it is (a retried
 * refund is not an error); anything else was never captured, so there is nothing to give back.
 */
export function refundPayment(payment: Payment, reason: string, at: Date): Payment {
  switch (payment.status) {
    case "SUCCEEDED":
      return { ...payment, status: "REFUNDED", refundedAt: at, refundReason: reason };
    case "REFUNDED":
      return payment;
    case "DECLINED":
    case "PENDING":
      throw failedPrecondition("PAYMENT_NOT_REFUNDABLE", `payment ${payment.id} is ${payment.status}, not refundable`, {
        metadata: { payment_id: payment.id, status: payment.status },
      });
  }
}
