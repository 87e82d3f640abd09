import { type Amount, failedPrecondition, invalidArgument } from "@checkout-saga/shared";

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

/** Money given back from a payment, in its currency. */
export interface Refund {
  /** The caller's name for it, unique per payment; "" for the refund of all that was left, asked without one. */
  key: string;
  amount: Amount;
  reason: string;
  createdAt: Date;
}

/** What a caller asks to give back. */
export interface RefundRequest {
  /** "" asks for all that is not yet refunded, once (the checkout saga's compensation, VoidCharge). */
  key: string;
  /** Unset: all that is not yet refunded. Only with a key (the request's field rule). */
  amount?: Amount;
  reason: string;
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
   * (SUCCEEDED), the voucher expires (EXPIRED) or VoidCharge cancels it (VOIDED). A payment partly
   * refunded stays SUCCEEDED; it is REFUNDED once its refunds add up to its amount.
   */
  status: "SUCCEEDED" | "DECLINED" | "PENDING" | "REFUNDED" | "EXPIRED" | "VOIDED";
  declineCode?: DeclineCode;
  declineMessage?: string;
  /** Set on a konbini payment unless it was DECLINED. */
  konbini?: KonbiniVoucher;
  createdAt: Date;
  /** Oldest first; append-only, and never adding up to more than `amount`. */
  refunds: Refund[];
  /** When it became REFUNDED, and the reason of the refund that made it so. */
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

/** How much of a payment's amount its refunds have given back, in minor units of its currency. */
export function refundedMinor(payment: Pick<ChargedPayment, "refunds">): number {
  return payment.refunds.reduce((sum, r) => sum + r.amount.amountMinor, 0);
}

/**
 * Refund as a state transition. The refund already made under the request's key answers a repeat
 * (the same key with another amount is refused). Otherwise a SUCCEEDED payment gives back the
 * amount asked, or all that is left, never more than is left, and becomes REFUNDED once nothing
 * is left. Without an amount, REFUNDED and VOIDED stay as they are (already undone: a retried
 * refund is not an error). DECLINED, PENDING and EXPIRED were never captured, so there is nothing
 * to give back.
 */
export function refundPayment(payment: Payment, request: RefundRequest, at: Date): Payment {
  if (isVoidedBeforeCharge(payment)) return refundNothingFrom(payment, request);
  const earlier = payment.refunds.find((r) => r.key === request.key);
  if (earlier) return sameRefund(payment, earlier, request);
  switch (payment.status) {
    case "SUCCEEDED":
    case "REFUNDED":
      return addRefund(payment, request, at);
    case "VOIDED":
      return refundNothingFrom(payment, request);
    case "DECLINED":
    case "PENDING":
    case "EXPIRED":
      throw notRefundable(payment);
  }
}

function addRefund(payment: ChargedPayment, request: RefundRequest, at: Date): Payment {
  const { currency, amountMinor: paid } = payment.amount;
  const left = paid - refundedMinor(payment);
  if (request.amount === undefined && left === 0) return payment;
  const amount = request.amount ?? { currency, amountMinor: left };
  if (amount.currency !== currency) {
    throw invalidArgument(
      "REFUND_CURRENCY_MISMATCH",
      `payment ${payment.id} was paid in ${currency}, not ${amount.currency}`,
      {
        metadata: { payment_id: payment.id, currency, requested_currency: amount.currency },
      },
    );
  }
  if (amount.amountMinor > left) {
    throw failedPrecondition(
      "REFUND_EXCEEDS_PAYMENT",
      `payment ${payment.id} has ${left} ${currency} minor units left to refund; ${amount.amountMinor} were asked`,
      {
        metadata: {
          payment_id: payment.id,
          currency,
          requested_minor: String(amount.amountMinor),
          refundable_minor: String(left),
        },
      },
    );
  }
  const refunds = [...payment.refunds, { key: request.key, amount, reason: request.reason, createdAt: at }];
  if (amount.amountMinor < left) return { ...payment, refunds };
  return { ...payment, refunds, status: "REFUNDED", refundedAt: at, refundReason: request.reason };
}

/** A repeat of a refund made before: the payment as it stands, unless it names another amount. */
function sameRefund(payment: ChargedPayment, earlier: Refund, request: RefundRequest): Payment {
  const asked = request.amount;
  if (asked && (asked.currency !== earlier.amount.currency || asked.amountMinor !== earlier.amount.amountMinor)) {
    throw failedPrecondition("REFUND_KEY_REUSED", `refund_key ${request.key} was already used for another amount`, {
      metadata: { payment_id: payment.id, refund_key: request.key },
    });
  }
  return payment;
}

/** A VOIDED payment took no money: asking for all that is left is answered as is, asking for an amount refused. */
function refundNothingFrom(payment: Payment, request: RefundRequest): Payment {
  if (request.amount !== undefined) throw notRefundable(payment);
  return payment;
}

const notRefundable = (payment: Payment) =>
  failedPrecondition("PAYMENT_NOT_REFUNDABLE", `payment ${payment.id} is ${payment.status}, not refundable`, {
    metadata: { payment_id: payment.id, status: payment.status },
  });

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
  return refundPayment(payment, { key: "", reason }, at);
}
