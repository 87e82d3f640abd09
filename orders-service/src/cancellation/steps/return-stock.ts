import { done, rethrowIfStopped } from "@checkout-saga/shared";
import { type CancellationStep, errorMessage, flagAndWait } from "../cancellation-step.js";

/**
 * POINTS_RETURNED → STOCK_RETURNED: put the cancelled units back in stock, return key = the
 * cancellation id, so a retried call never counts twice. Past the refund the cancellation only
 * moves forward: a failure of any kind (inventory down, or a refusal that needs a person) leaves
 * it POINTS_RETURNED, flagged as needing attention, and recovery tries again.
 */
export const returnStock: CancellationStep = {
  name: "return stock",

  async action(ctx) {
    const { session } = ctx;
    try {
      await ctx.call(() =>
        ctx.deps.inventory.returnStock({
          checkoutId: session.checkoutId,
          returnKey: session.id,
          lines: session.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
          reason: `order ${session.orderId} cancellation ${session.id}`,
        }),
      );
      ctx.faults.reached("after-return");
      return done("units returned to stock", { needsAttention: false });
    } catch (err) {
      rethrowIfStopped(err);
      return flagAndWait(ctx, `could not return the units to stock yet: ${errorMessage(err)}`);
    }
  },
};
