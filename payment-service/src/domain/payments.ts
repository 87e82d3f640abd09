import { failedPrecondition, notFound } from "@checkout-saga/shared";
import { decideChargeOutcome, type RandomSource } from "./charge-outcome.js";
import { type ChargeRequest, checkChargeMethod, requestFingerprint } from "./charge-request.js";
import { newConfirmationNumber, type RandomInt, voucherExpiry } from "./konbini.js";
import { type LatencyRange, pickLatencyMs } from "./latency.js";
import {
  expireIfDue,
  isPastDue,
  isVoidedBeforeCharge,
  type NewPayment,
  type Payment,
  payAtStore,
  type Refund,
  type RefundRequest,
  refundPayment,
  voidPayment,
} from "./payment.js";
import { type PaymentChange, paymentChange } from "./payment-notification.js";

/** A store's answer to a konbini payment whose confirmation number another payment already has. */
export class ConfirmationNumberTaken extends Error {
  override readonly name = "ConfirmationNumberTaken";
}

/** Turns the payment a store holds locked into what to write: the new payment and the webhook it owes. */
export type ChangePayment = (current: Payment) => PaymentChange;

/**
 * Where payments live. Implementations make `insertOnce` and every update atomic, and write a
 * change's notification (a webhook to deliver) in the same transaction as the payment, so an
 * outcome is never announced without being stored, nor stored without being announced.
 */
export interface PaymentStore {
  findById(id: string): Promise<Payment | undefined>;
  findByIdempotencyKey(key: string): Promise<Payment | undefined>;
  /**
   * Stores the payment unless one with its idempotency key exists; returns whichever is stored.
   * Throws ConfirmationNumberTaken when its voucher's number belongs to another payment.
   */
  insertOnce(payment: NewPayment): Promise<Payment>;
  /** Writes `change(current)` while holding the payment locked; undefined if it does not exist. */
  update(id: string, change: ChangePayment): Promise<Payment | undefined>;
  /** As `update`, for the konbini payment whose voucher has this confirmation number. */
  updateByConfirmationNumber(confirmationNumber: string, change: ChangePayment): Promise<Payment | undefined>;
  /**
   * In one transaction: stores `absent` unless a payment with its idempotency key exists, else
   * writes `change(current)` while holding that payment locked. Returns the result.
   */
  insertOrUpdate(absent: NewPayment, change: ChangePayment): Promise<Payment>;
  /**
   * Writes `change` over up to `limit` PENDING payments whose voucher expired by `dueBy`, skipping
   * any another transaction holds (it will decide them itself); returns how many were changed.
   */
  updatePastDue(dueBy: Date, limit: number, change: ChangePayment): Promise<number>;
}

export interface PaymentsDeps {
  store: PaymentStore;
  latency: LatencyRange;
  /** Probability (0..1) that a new charge fails with `processing_error`. */
  failureRate: number;
  /** How long a konbini voucher can be paid (KONBINI_EXPIRES_AFTER_SECONDS). */
  konbiniExpiresAfterSeconds: number;
  random: RandomSource;
  /** Cryptographic: draws confirmation numbers. */
  randomInt: RandomInt;
  sleep: (ms: number) => Promise<void>;
  clock: () => Date;
}

/** The mock provider's use cases. */
export interface Payments {
  /**
   * Charges once per idempotency key; a repeat with the same request returns the stored payment.
   * konbini answers PENDING with a voucher, paid later through `payKonbini`.
   */
  charge(request: ChargeRequest): Promise<Payment>;
  /**
   * Gives back money a payment took (see `refundPayment`): the payment as it now stands, and the
   * refund with the request's key, unless nothing was left to refund.
   */
  refund(paymentId: string, request: RefundRequest): Promise<{ payment: Payment; refund?: Refund }>;
  /**
   * Undoes the charge made, being made or yet to be made with this key: refunds it if it
   * succeeded, cancels a pending voucher, else records it VOIDED so that charge stores nothing
   * (see `voidPayment`).
   */
  voidCharge(idempotencyKey: string, reason: string): Promise<Payment>;
  /** A payment as it stands; a pending one past its expiry is expired by this very read. */
  get(query: { paymentId: string; idempotencyKey: string }): Promise<Payment>;
  /** The customer pays a konbini voucher at the store (dev only; see `payAtStore`). */
  payKonbini(confirmationNumber: string): Promise<Payment>;
  /** Expires up to `limit` pending payments past their expiry; returns how many. */
  expirePastDue(limit: number): Promise<number>;
}

/**
 * Draws before a charge gives up on a free confirmation number: among 9×10^10 numbers a clash is
 * rare, and five in a row mean something is broken rather than unlucky.
 */
const CONFIRMATION_NUMBER_DRAWS = 5;

export function createPayments(deps: PaymentsDeps): Payments {
  const { store } = deps;

  /** Every change goes through here, so every outcome a change reaches brings its notification. */
  const announced =
    (at: Date, transition: (current: Payment) => Payment): ChangePayment =>
    (current) =>
      paymentChange(current, transition(current), at);

  async function insertCharge(request: ChargeRequest, fingerprint: string): Promise<Payment> {
    const outcome = decideChargeOutcome(request.method, deps.failureRate, deps.random);
    const createdAt = deps.clock();
    const payment: NewPayment = {
      idempotencyKey: request.idempotencyKey,
      requestFingerprint: fingerprint,
      checkoutId: request.checkoutId,
      amount: request.amount,
      method: request.method,
      refunds: [],
      ...outcome,
      createdAt,
    };
    if (outcome.status !== "PENDING") return store.insertOnce(payment);
    for (let draw = 1; ; draw++) {
      const konbini = {
        confirmationNumber: newConfirmationNumber(deps.randomInt),
        expiresAt: voucherExpiry(createdAt, deps.konbiniExpiresAfterSeconds),
      };
      try {
        return await store.insertOnce({ ...payment, konbini });
      } catch (err) {
        if (!(err instanceof ConfirmationNumberTaken) || draw >= CONFIRMATION_NUMBER_DRAWS) throw err;
      }
    }
  }

  async function expire(payment: Payment): Promise<Payment> {
    const now = deps.clock();
    if (!isPastDue(payment, now)) return payment;
    return (
      (await store.update(
        payment.id,
        announced(now, (current) => expireIfDue(current, now)),
      )) ?? payment
    );
  }

  return {
    async charge(request) {
      checkChargeMethod(request.amount, request.method);
      const fingerprint = requestFingerprint(request);
      const existing = await store.findByIdempotencyKey(request.idempotencyKey);
      // A repeat is answered as GetPayment would: a voucher past its expiry as EXPIRED.
      if (existing) return expire(sameRequest(existing, fingerprint));

      await deps.sleep(pickLatencyMs(deps.latency, deps.random));
      // A concurrent charge with the same key may have stored its decision meanwhile; the
      // store keeps the first, and every caller answers with that one.
      return expire(sameRequest(await insertCharge(request, fingerprint), fingerprint));
    },

    async refund(paymentId, request) {
      const at = deps.clock();
      // Expired first, so a voucher past its expiry is refused as EXPIRED rather than PENDING.
      const payment =
        (await store.update(
          paymentId,
          announced(at, (p) => refundPayment(expireIfDue(p, at), request, at)),
        )) ?? paymentNotFound(paymentId);
      // Keys are unique per payment, so the refund with this one is what this call made or its first try did.
      const refund = isVoidedBeforeCharge(payment) ? undefined : payment.refunds.find((r) => r.key === request.key);
      return { payment, refund };
    },

    async voidCharge(idempotencyKey, reason) {
      const at = deps.clock();
      return store.insertOrUpdate(
        { idempotencyKey, status: "VOIDED", createdAt: at, voidReason: reason },
        announced(at, (p) => voidPayment(p, reason, at)),
      );
    },

    // Exactly one of the two is set (the request's field rule).
    async get({ paymentId, idempotencyKey }) {
      if (paymentId !== "") return expire((await store.findById(paymentId)) ?? paymentNotFound(paymentId));
      const payment = await store.findByIdempotencyKey(idempotencyKey);
      if (!payment) {
        throw notFound("PAYMENT_NOT_FOUND", "no payment has this idempotency key", {
          metadata: { idempotency_key: idempotencyKey },
        });
      }
      return expire(payment);
    },

    // The number is well-formed (11 digits: the request's field rule).
    async payKonbini(confirmationNumber) {
      const at = deps.clock();
      const payment = await store.updateByConfirmationNumber(
        confirmationNumber,
        announced(at, (p) => payAtStore(p, at)),
      );
      if (!payment) {
        throw notFound("KONBINI_VOUCHER_NOT_FOUND", "no konbini voucher has this confirmation number", {
          metadata: { confirmation_number: confirmationNumber },
        });
      }
      if (payment.status === "EXPIRED" || payment.status === "VOIDED") {
        const expired = payment.status === "EXPIRED";
        throw failedPrecondition(
          expired ? "KONBINI_VOUCHER_EXPIRED" : "KONBINI_VOUCHER_VOIDED",
          expired ? "the konbini voucher has expired unpaid" : "the konbini voucher was cancelled by the merchant",
          { metadata: { payment_id: payment.id, confirmation_number: confirmationNumber } },
        );
      }
      return payment;
    },

    async expirePastDue(limit) {
      const now = deps.clock();
      return store.updatePastDue(
        now,
        limit,
        announced(now, (p) => expireIfDue(p, now)),
      );
    },
  };
}

/**
 * The stored payment, if it answers this request. One voided before any charge answers any
 * request with its key: the void came first (its caller gave up on the charge) and recorded no
 * request to compare.
 */
function sameRequest(payment: Payment, fingerprint: string): Payment {
  if (!isVoidedBeforeCharge(payment) && payment.requestFingerprint !== fingerprint) {
    throw failedPrecondition(
      "IDEMPOTENCY_KEY_REUSED",
      "idempotency_key was already used for a different charge request",
      { metadata: { idempotency_key: payment.idempotencyKey } },
    );
  }
  return payment;
}

function paymentNotFound(paymentId: string): never {
  throw notFound("PAYMENT_NOT_FOUND", `payment ${paymentId} does not exist`, { metadata: { payment_id: paymentId } });
}
