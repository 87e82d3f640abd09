import { done } from "@checkout-saga/shared";
import { type CheckoutStep, paymentWindowMs } from "../checkout-step.js";

/**
 * INVENTORY_RESERVED → PAYMENT_PENDING, persisted before any money moves: a crash during the
 * charge then leaves a visible PAYMENT_PENDING that is resumed by charging again with the same
 * key. Sets how long the charge may stay unsettled.
 */
export const startCharge: CheckoutStep = {
  name: "start charge",
  // Decided from the session alone: written with the reservation's transition, in one commit.
  local: true,
  // konbini: the voucher's expiry is not known before the charge; its life plus the margin is a
  // safe bound until the charge step sets the deadline from the voucher itself.
  action: (ctx) => {
    const konbini = ctx.session.paymentMethod.type === "konbini";
    const windowMs = paymentWindowMs(ctx.deps, ctx.session.paymentMethod) + (konbini ? ctx.deps.paymentMarginMs : 0);
    return done("charging payment", { paymentDeadline: new Date(ctx.now().getTime() + windowMs) });
  },
};
