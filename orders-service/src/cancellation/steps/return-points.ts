import { done, rethrowIfStopped } from "@checkout-saga/shared";
import { type CancellationStep, errorMessage, flagAndWait } from "../cancellation-step.js";

/**
 * REFUNDED → POINTS_RETURNED: give back the redeemed points the cancelled lines' share was paid
 * with, to the lots they came from (redemption key = the checkout id, return key = the
 * cancellation id, so a retried call never returns twice). Nothing redeemed for these lines: no
 * call. Past the refund the cancellation only moves forward: any failure leaves it REFUNDED,
 * flagged as needing attention, and recovery tries again.
 */
export const returnPoints: CancellationStep = {
  name: "return points",

  async action(ctx) {
    const { session } = ctx;
    if (session.pointsReturned === 0) return done("no points were redeemed for these lines");
    try {
      await ctx.call(() =>
        ctx.deps.points.returnPoints({
          checkoutId: session.checkoutId,
          points: session.pointsReturned,
          returnKey: session.id,
          orderId: session.orderId,
          reason: `order ${session.orderId} cancellation ${session.id}`,
        }),
      );
      ctx.faults.reached("after-points-return");
      return done(`returned ${session.pointsReturned} points`, { needsAttention: false });
    } catch (err) {
      rethrowIfStopped(err);
      return flagAndWait(ctx, `could not return the points yet: ${errorMessage(err)}`);
    }
  },
};
