import { failedPrecondition, notFound } from "@checkout-saga/shared";
import { decideChargeOutcome, type RandomSource } from "./charge-outcome.js";
import { type ChargeRequest, requestFingerprint } from "./charge-request.js";
import { type LatencyRange, pickLatencyMs } from "./latency.js";
import { type NewPayment, type Payment, refundPayment, voidPayment } from "./payment.js";

/** Where payments live. Implementations must make `insertOnce`, `update` and `insertOrUpdate` atomic. */
export interface PaymentStore {
  findById(id: string): Promise<Payment | undefined>;
  findByIdempotencyKey(key: string): Promise<Payment | undefined>;
  /** Stores the payment unless one with its idempotency key exists; returns whichever is stored. */
  insertOnce(payment: NewPayment): Promise<Payment>;
  /** Replaces a payment by `change(current)` while holding it locked; undefined if it does not exist. */
  update(id: string, change: (current: Payment) => Payment): Promise<Payment | undefined>;
  /**
   * In one transaction: stores `absent` unless a payment with its idempotency key exists, else
   * replaces that payment by `change(current)` while holding it locked. Returns the result.
   */
  insertOrUpdate(absent: NewPayment, change: (current: Payment) => Payment): Promise<Payment>;
}

export interface PaymentsDeps {
  store: PaymentStore;
  latency: LatencyRange;
  /** Probability (0..1) that a new charge fails with `processing_error`. */
  failureRate: number;
  random: RandomSource;
  sleep: (ms: number) => Promise<void>;
  clock: () => Date;
}

/** The mock gateway's use cases. */
export interface Payments {
  /** Charges once per idempotency key; a repeat with the same request returns the stored payment. */
  charge(request: ChargeRequest): Promise<Payment>;
  refund(paymentId: string, reason: string): Promise<Payment>;
  /**
   * Undoes the charge made, being made or yet to be made with this key: refunds it if it
   * succeeded, else records it VOIDED so that charge stores nothing (see `voidPayment`).
   */
  voidCharge(idempotencyKey: string, reason: string): Promise<Payment>;
  get(query: { paymentId: string; idempotencyKey: string }): Promise<Payment>;
}

export function createPayments(deps: PaymentsDeps): Payments {
  const { store } = deps;

  return {
    async charge(request) {
      const fingerprint = requestFingerprint(request);
      const existing = await store.findByIdempotencyKey(request.idempotencyKey);
      if (existing) return sameRequest(existing, fingerprint);

      await deps.sleep(pickLatencyMs(deps.latency, deps.random));
      const outcome = decideChargeOutcome(request.method.token, deps.failureRate, deps.random);
      // A concurrent charge with the same key may have stored its decision meanwhile; the
      // store keeps the first, and every caller answers with that one.
      const stored = await store.insertOnce({
        idempotencyKey: request.idempotencyKey,
        requestFingerprint: fingerprint,
        checkoutId: request.checkoutId,
        amount: request.amount,
        method: request.method,
        ...outcome,
        createdAt: deps.clock(),
      });
      return sameRequest(stored, fingerprint);
    },

    async refund(paymentId, reason) {
      const refunded = await store.update(paymentId, (p) => refundPayment(p, reason, deps.clock()));
      return refunded ?? paymentNotFound(paymentId);
    },

    async voidCharge(idempotencyKey, reason) {
      const at = deps.clock();
      return store.insertOrUpdate({ idempotencyKey, status: "VOIDED", createdAt: at, voidReason: reason }, (p) =>
        voidPayment(p, reason, at),
      );
    },

    // Exactly one of the two is set (the request's field rule).
    async get({ paymentId, idempotencyKey }) {
      if (paymentId !== "") return (await store.findById(paymentId)) ?? paymentNotFound(paymentId);
      const payment = await store.findByIdempotencyKey(idempotencyKey);
      if (!payment) {
        throw notFound("PAYMENT_NOT_FOUND", "no payment has this idempotency key", {
          metadata: { idempotency_key: idempotencyKey },
        });
      }
      return payment;
    },
  };
}

/**
 * The stored payment, if it answers this request. A VOIDED one answers any request with its key:
 * the void came first (its caller gave up on the charge) and recorded no request to compare.
 */
function sameRequest(payment: Payment, fingerprint: string): Payment {
  if (payment.status !== "VOIDED" && payment.requestFingerprint !== fingerprint) {
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
