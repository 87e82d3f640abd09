import { done, isPeerReset, isRetryable, rethrowIfStopped, waitFor } from "@checkout-saga/shared";
import { nothingToCharge } from "../../domain/points.js";
import { type CheckoutStep, compensateWith, errorMessage } from "../checkout-step.js";

const COMPENSATION_REASON = "checkout compensation";

/**
 * PAYMENT_PENDING → PAYMENT_COMPLETED: charge with idempotency key = checkout id, stable
 * across retries. A konbini charge answers PENDING with a voucher: the step keeps it, sets the
 * deadline to its expiry plus the margin, and waits; a webhook (or recovery past the deadline)
 * runs the step again, and the repeated charge tells the outcome (SUCCEEDED, EXPIRED, VOIDED).
 * A checkout paid entirely in points charges nothing: no payment is made.
 * Undo: refund, or void by key when the charge's answer never came or the voucher is unpaid.
 */
export const chargePayment: CheckoutStep = {
  name: "charge payment",
  // A decline, an expired or a cancelled voucher are answers: nothing was taken. Any other failure may have charged.
  changesNothingOn: ["PAYMENT_DECLINED", "PAYMENT_EXPIRED", "PAYMENT_FAILED"],

  async action(ctx) {
    const { session } = ctx;
    if (nothingToCharge(session)) return done("paid in points; nothing to charge");
    const pastDeadline = session.paymentDeadline !== undefined && ctx.now() > session.paymentDeadline;
    try {
      const payment = await ctx.call(() =>
        ctx.deps.payments.charge({
          idempotencyKey: session.id,
          checkoutId: session.id,
          amount: session.total,
          method: session.paymentMethod,
        }),
      );
      ctx.faults.reached("during-charge");
      switch (payment.status) {
        case "succeeded":
          ctx.faults.reached("after-charge");
          return done("payment captured", { paymentId: payment.paymentId });
        case "declined":
          return compensateWith(
            "PAYMENT_DECLINED",
            payment.declineMessage || "the payment was declined",
            { declineCode: payment.declineCode ?? "" },
            {
              patch: { paymentId: payment.paymentId },
              reason: `payment declined: ${payment.declineCode ?? "declined"}`,
            },
          );
        case "pending":
          if (pastDeadline) return compensateWith("STEP_FAILED", "the payment did not complete before its deadline");
          if (payment.konbini) {
            // The voucher is what the customer needs (next_action); the saga waits until it is paid or expires.
            const expiresAt = payment.konbini.expiresAt;
            await ctx.save({
              paymentId: payment.paymentId,
              konbini: payment.konbini,
              paymentDeadline: new Date(expiresAt.getTime() + ctx.deps.paymentMarginMs),
            });
            return waitFor(`konbini voucher issued; waiting for payment until ${expiresAt.toISOString()}`);
          }
          await ctx.save({ paymentId: payment.paymentId });
          return waitFor("payment accepted; waiting for its outcome");
        case "expired":
          return compensateWith(
            "PAYMENT_EXPIRED",
            "the konbini voucher was not paid before it expired",
            {},
            {
              patch: { paymentId: payment.paymentId },
              reason: "payment expired",
            },
          );
        case "refunded":
          return compensateWith("STEP_FAILED", "the payment was refunded before the checkout completed");
        case "voided":
          // A konbini voucher cancelled at the provider (payment.failed): nothing was paid.
          if (session.paymentMethod.type === "konbini") {
            return compensateWith(
              "PAYMENT_FAILED",
              "the konbini payment was cancelled before it was paid",
              {},
              {
                patch: { paymentId: payment.paymentId },
                reason: "payment failed",
              },
            );
          }
          // An earlier compensation of this checkout voided the key: nothing was charged.
          return compensateWith("STEP_FAILED", "the charge was voided before the checkout completed");
      }
    } catch (err) {
      rethrowIfStopped(err);
      // Unreachable or slow: the charge may or may not have happened, so only charging again with
      // the same key can tell. Stay PAYMENT_PENDING (recovery retries) until the deadline passes.
      if ((isRetryable(err) || isPeerReset(err)) && !pastDeadline) {
        return waitFor(`charge outcome unknown: ${errorMessage(err)}`);
      }
      return compensateWith("STEP_FAILED", `could not charge the payment: ${errorMessage(err)}`);
    }
  },

  /**
   * Refund what was taken. Without a payment id (the charge's answer was lost or timed out) the
   * charge is voided by its idempotency key: that refunds it if it happened, and otherwise makes
   * a charge still in flight (or retried later) charge nothing — a mere lookup would miss such a
   * charge and leave it taken for a failed checkout. A konbini payment is always voided by key:
   * that cancels a voucher still unpaid (it can no longer be paid), refunds a paid one, and leaves
   * an expired one as it is — a refund would refuse the unpaid ones.
   */
  compensation: {
    name: "refund payment",
    async run(ctx) {
      const { session } = ctx;
      if (nothingToCharge(session)) return "nothing charged";
      if (session.paymentId && session.paymentMethod.type !== "konbini") {
        await ctx.deps.payments.refund(session.paymentId, COMPENSATION_REASON);
        return "payment refunded";
      }
      const payment = await ctx.deps.payments.voidCharge(session.id, COMPENSATION_REASON);
      switch (payment.status) {
        case "voided":
          return "charge voided";
        case "refunded":
          return "payment refunded";
        case "declined":
          return "nothing charged";
        case "expired":
          return "voucher expired unpaid; nothing charged";
        case "succeeded":
        case "pending":
          // Not undone: fail this pass, so compensation retries instead of ending FAILED with money taken.
          throw new Error(`voiding the charge left payment ${payment.paymentId} ${payment.status}`);
      }
    },
  },
};
