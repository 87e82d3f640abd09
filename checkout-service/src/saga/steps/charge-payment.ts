import { done, isPeerReset, isRetryable, rethrowIfStopped, waitFor } from "@checkout-saga/shared";
import { type CheckoutStep, compensateWith, errorMessage } from "../checkout-step.js";

const COMPENSATION_REASON = "checkout compensation";

/**
 * PAYMENT_PENDING → PAYMENT_COMPLETED: charge with idempotency key = checkout id, stable
 * across retries. Undo: refund, or void by key when the charge's answer never came.
 */
export const chargePayment: CheckoutStep = {
  name: "charge payment",
  // A decline is an answer: nothing was taken. Any other failure may have charged.
  changesNothingOn: ["PAYMENT_DECLINED"],

  async action(ctx) {
    const { session } = ctx;
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
          await ctx.save({ paymentId: payment.paymentId });
          return waitFor("payment accepted; waiting for its outcome");
        case "refunded":
          return compensateWith("STEP_FAILED", "the payment was refunded before the checkout completed");
        case "voided":
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
   * charge and leave it taken for a failed checkout.
   */
  compensation: {
    name: "refund payment",
    async run(ctx) {
      const { session } = ctx;
      if (session.paymentId) {
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
        case "succeeded":
        case "pending":
          // Not undone: fail this pass, so compensation retries instead of ending FAILED with money taken.
          throw new Error(`voiding the charge left payment ${payment.paymentId} ${payment.status}`);
      }
    },
  },
};
