import { done, failed, formatMoney, rethrowIfStopped } from "@checkout-saga/shared";
import { Code, ConnectError } from "@connectrpc/connect";
import { type CancellationStep, errorMessage, flagAndWait } from "../cancellation-step.js";
import type { CancellationFailure, CancellationPatch } from "../ports.js";

/** Answers of the payment service that say no for good: retrying the same refund cannot change them. */
const REFUSALS = new Set([Code.FailedPrecondition, Code.InvalidArgument, Code.NotFound]);

const refused = (message: string) =>
  failed<CancellationPatch, CancellationFailure>({ code: "REFUND_REFUSED", message });

/**
 * REQUESTED → REFUNDED, the pivot: give back the cancelled lines' price, refund key = the
 * cancellation id, so a retry (or a restart mid-call) never refunds twice. A refusal (nothing
 * left to refund, the payment not refundable) fails the cancellation before anything was taken
 * back; any other failure leaves it REQUESTED, flagged, for recovery to refund again by the key.
 * No undo: a refund is not taken back, and it is the first thing the saga does.
 */
export const refundPayment: CancellationStep = {
  name: "refund payment",
  changesNothingOn: ["REFUND_REFUSED"],

  async action(ctx) {
    const { session } = ctx;
    if (session.refund.amountMinor === 0) return done("nothing was paid for these lines", { needsAttention: false });
    if (session.paymentId === "") return refused(`order ${session.orderId} has no payment to refund`);
    try {
      const { refunded } = await ctx.call(() =>
        ctx.deps.payments.refund({
          paymentId: session.paymentId,
          amount: session.refund,
          refundKey: session.id,
          reason: `order ${session.orderId} cancellation ${session.id}`,
        }),
      );
      ctx.faults.reached("after-refund");
      if (!refunded) return refused(`payment ${session.paymentId} took nothing that could be refunded`);
      return done(`refunded ${formatMoney(session.refund)}`, { needsAttention: false });
    } catch (err) {
      rethrowIfStopped(err);
      if (REFUSALS.has(ConnectError.from(err).code)) return refused(`the refund was refused: ${errorMessage(err)}`);
      return flagAndWait(ctx, `refund not confirmed yet: ${errorMessage(err)}`);
    }
  },
};
