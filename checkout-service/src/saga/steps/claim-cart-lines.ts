import { done, errorDetail, rethrowIfStopped } from "@checkout-saga/shared";
import { type CheckoutStep, compensateWith, errorMessage } from "../checkout-step.js";

/**
 * INITIATED → LINES_CLAIMED: take the lines this checkout buys out of reach of every other
 * checkout of the cart (a second tab, or the next checkout before the cart consumer has removed
 * these lines). The claim is settled by the CheckoutCompleted consumer. Undo: release it.
 */
export const claimCartLines: CheckoutStep = {
  name: "claim cart lines",
  // Another checkout holds the lines: the cart refused, nothing was claimed.
  changesNothingOn: ["CHECKOUT_IN_PROGRESS"],

  async action(ctx) {
    const { session } = ctx;
    try {
      await ctx.call(() =>
        ctx.deps.cart.claim(
          session.userId,
          session.id,
          session.items.map((i) => ({ productId: i.productId, quantity: i.quantity })),
        ),
      );
      return done("cart lines claimed");
    } catch (err) {
      rethrowIfStopped(err);
      const detail = errorDetail(err);
      if (detail?.reason === "CART_LINES_HELD") {
        const heldBy = (detail.metadata.held_by ?? "").split(",").filter((id) => id !== "");
        return compensateWith(
          "CHECKOUT_IN_PROGRESS",
          heldBy.length > 0
            ? `another checkout holds these cart lines: ${heldBy.join(", ")}`
            : "the cart no longer holds these lines",
          { heldBy },
        );
      }
      return compensateWith("STEP_FAILED", `could not claim the cart lines: ${errorMessage(err)}`);
    }
  },

  /** Gives the lines back to the cart; a claim arriving after this release is refused by the cart. */
  compensation: {
    name: "release cart lines",
    async run(ctx) {
      await ctx.deps.cart.release(ctx.session.userId, ctx.session.id);
      return "cart lines released";
    },
  },
};
