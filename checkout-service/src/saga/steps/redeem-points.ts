import { done, errorDetail, rethrowIfStopped } from "@checkout-saga/shared";
import { pointsRedeemed } from "../../domain/points.js";
import { type CheckoutStep, compensateWith, errorMessage } from "../checkout-step.js";

/**
 * LINES_CLAIMED → POINTS_REDEEMED: take the points the customer pays with from their balance,
 * keyed by checkout id. It comes before the reservation, so a balance too small ends the
 * checkout with no stock ever held for it. A checkout without points passes through without a
 * call. Undo: give every point back, to the lots they came from.
 */
export const redeemPoints: CheckoutStep = {
  name: "redeem points",
  // Without points it decides from the session alone: written with the claim, in one commit.
  localWhen: { test: (session) => pointsRedeemed(session) === 0, when: "no points are redeemed" },
  // The ledger refused: nothing was taken. Any other failure may have taken the points.
  changesNothingOn: ["POINTS_INSUFFICIENT"],

  async action(ctx) {
    const { session } = ctx;
    const points = pointsRedeemed(session);
    if (points === 0) return done("no points to redeem");
    try {
      const status = await ctx.call(() =>
        ctx.deps.points.redeem({ userId: session.userId, checkoutId: session.id, points }),
      );
      // Only an earlier compensation of this checkout voids or returns its redemption.
      if (status !== "redeemed")
        return compensateWith("STEP_FAILED", `the redemption was ${status} before the checkout completed`);
      ctx.faults.reached("after-redeem");
      return done(`${points} points redeemed`);
    } catch (err) {
      rethrowIfStopped(err);
      const detail = errorDetail(err);
      if (detail?.reason === "POINTS_INSUFFICIENT") {
        const balance = Number(detail.metadata.balance ?? 0);
        return compensateWith("POINTS_INSUFFICIENT", `${points} points were asked for; the balance is ${balance}`, {
          pointsBalance: balance,
        });
      }
      return compensateWith("STEP_FAILED", `could not redeem the points: ${errorMessage(err)}`);
    }
  },

  /**
   * Returns all the redemption still holds. Called by key even when the redemption's answer was
   * lost: the ledger then voids the key, so a redemption still in flight takes nothing.
   */
  compensation: {
    name: "return points",
    async run(ctx) {
      if (pointsRedeemed(ctx.session) === 0) return "no points to return";
      await ctx.deps.points.returnAll(ctx.session.id, "checkout compensation");
      ctx.faults.reached("during-redeem-compensation");
      return "points returned";
    },
  },
};
