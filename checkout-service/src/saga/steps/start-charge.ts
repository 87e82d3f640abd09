import { done } from "@checkout-saga/shared";
import type { CheckoutStep } from "../checkout-step.js";

/**
 * INVENTORY_RESERVED → PAYMENT_PENDING, persisted before any money moves: a crash during the
 * charge then leaves a visible PAYMENT_PENDING that is resumed by charging again with the same
 * key. Sets how long the charge may stay unsettled.
 */
export const startCharge: CheckoutStep = {
  name: "start charge",
  // Decided from the session alone: written with the reservation's transition, in one commit.
  local: true,
  action: (ctx) =>
    done("charging payment", { paymentDeadline: new Date(ctx.now().getTime() + ctx.deps.paymentDeadlineMs) }),
};
