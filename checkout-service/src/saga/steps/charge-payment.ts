import { isRetryable } from "@checkout-saga/shared";
import {
  compensateWith,
  errorMessage,
  rethrowIfStopped,
  type StepContext,
  type StepOutcome,
  type Undo,
} from "../saga-step.js";

/**
 * INVENTORY_RESERVED → PAYMENT_PENDING, persisted before any money moves: a crash during the
 * charge then leaves a visible PAYMENT_PENDING that is resumed by charging again with the same key.
 */
export function startCharge(ctx: StepContext): StepOutcome {
  return {
    kind: "move",
    to: "PAYMENT_PENDING",
    reason: "charging payment",
    patch: { paymentDeadline: new Date(ctx.now().getTime() + ctx.paymentDeadlineMs) },
  };
}

/** PAYMENT_PENDING → PAYMENT_COMPLETED: charge with idempotency key = checkout id, stable across retries. */
export async function chargePayment(ctx: StepContext): Promise<StepOutcome> {
  const { session } = ctx;
  const pastDeadline = session.paymentDeadline !== undefined && ctx.now() > session.paymentDeadline;
  try {
    const payment = await ctx.call(() =>
      ctx.payments.charge({
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
        return {
          kind: "move",
          to: "PAYMENT_COMPLETED",
          reason: "payment captured",
          patch: { paymentId: payment.paymentId },
        };
      case "declined":
        return {
          kind: "move",
          to: "COMPENSATING",
          reason: `payment declined: ${payment.declineCode ?? "declined"}`,
          patch: {
            paymentId: payment.paymentId,
            failure: {
              code: "PAYMENT_DECLINED",
              message: payment.declineMessage || "the payment was declined",
              declineCode: payment.declineCode ?? "",
            },
          },
        };
      case "pending":
        if (pastDeadline) return compensateWith("STEP_FAILED", "the payment did not complete before its deadline");
        await ctx.save({ paymentId: payment.paymentId });
        return { kind: "wait", reason: "payment accepted; waiting for its outcome" };
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
    if (isRetryable(err) && !pastDeadline)
      return { kind: "wait", reason: `charge outcome unknown: ${errorMessage(err)}` };
    return compensateWith("STEP_FAILED", `could not charge the payment: ${errorMessage(err)}`);
  }
}

const COMPENSATION_REASON = "checkout compensation";

/**
 * Undo of chargePayment: refund what was taken. Without a payment id (the charge's answer was
 * lost or timed out) the charge is voided by its idempotency key: that refunds it if it
 * happened, and otherwise makes a charge still in flight (or retried later) charge nothing —
 * a mere lookup would miss such a charge and leave it taken for a failed checkout.
 */
export const refundPayment: Undo = {
  async undo(ctx) {
    const { session } = ctx;
    if (session.paymentId) {
      await ctx.payments.refund(session.paymentId, COMPENSATION_REASON);
      return "payment refunded";
    }
    const payment = await ctx.payments.voidCharge(session.id, COMPENSATION_REASON);
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
};
