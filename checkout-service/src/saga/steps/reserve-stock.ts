import { done, errorDetail, rethrowIfStopped } from "@checkout-saga/shared";
import { type CheckoutStep, compensateWith, errorMessage, paymentWindowMs } from "../checkout-step.js";

/**
 * LINES_CLAIMED → INVENTORY_RESERVED: hold the checkout's lines (keyed by checkout id) as long as
 * its payment may still succeed, plus margins (a konbini voucher lasts days). Undo: give the stock back.
 */
export const reserveStock: CheckoutStep = {
  name: "reserve stock",
  // Out of stock is an answer: nothing was held. Any other failure may have held stock.
  changesNothingOn: ["OUT_OF_STOCK"],

  async action(ctx) {
    const { session } = ctx;
    const holdMs = paymentWindowMs(ctx.deps, session.paymentMethod) + 2 * ctx.deps.paymentMarginMs;
    try {
      const { reservationId } = await ctx.call(() =>
        ctx.deps.inventory.reserve(
          session.id,
          session.items.map((i) => ({ productId: i.productId, quantity: i.quantity })),
          Math.ceil(holdMs / 1_000),
        ),
      );
      ctx.faults.reached("after-reserve");
      return done("stock reserved", { reservationId });
    } catch (err) {
      rethrowIfStopped(err);
      const detail = errorDetail(err);
      if (detail?.reason === "OUT_OF_STOCK") {
        const shortages = detail.lines.map((l) => ({
          productId: l.productId,
          requested: l.requested,
          available: l.available,
        }));
        return compensateWith("OUT_OF_STOCK", "not enough stock for some lines", { shortages });
      }
      return compensateWith("STEP_FAILED", `could not reserve stock: ${errorMessage(err)}`);
    }
  },

  /** Safe to repeat, and when nothing is held. */
  compensation: {
    name: "release stock",
    async run(ctx) {
      await ctx.deps.inventory.release(ctx.session.id, "checkout compensation");
      return "stock released";
    },
  },
};
