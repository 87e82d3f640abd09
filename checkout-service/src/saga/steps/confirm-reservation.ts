import { done, errorDetail, rethrowIfStopped, waitFor } from "@checkout-saga/shared";
import { type CheckoutStep, compensateWith, errorMessage } from "../checkout-step.js";

/** Reservation states after which the stock can no longer be sold to this checkout. */
const LOST_RESERVATION = new Set(["RESERVATION_EXPIRED", "RESERVATION_RELEASED", "RESERVATION_NOT_FOUND"]);

/**
 * PAYMENT_COMPLETED → COMPLETED: turn the hold into a sale. Past the pivot the saga only
 * moves forward (a failing Confirm is retried later), unless the reservation is gone:
 * completing became impossible, so the payment is refunded (RESERVATION_LOST).
 */
export const confirmReservation: CheckoutStep = {
  name: "confirm reservation",
  turnsBackOn: ["RESERVATION_LOST"],

  async action(ctx) {
    try {
      await ctx.call(() => ctx.deps.inventory.confirm(ctx.session.id));
      return done("reservation confirmed; checkout completed");
    } catch (err) {
      rethrowIfStopped(err);
      const reason = errorDetail(err)?.reason ?? "";
      if (LOST_RESERVATION.has(reason)) {
        return compensateWith("RESERVATION_LOST", `the stock is no longer held (${reason}); the payment is refunded`);
      }
      return waitFor(`could not confirm the reservation yet: ${errorMessage(err)}`);
    }
  },
};
