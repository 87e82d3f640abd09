import { type Checkout, CheckoutStatus } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { checkoutJson } from "../mappers/checkout.js";
import type { CheckoutJson } from "../openapi/schemas.js";
import { type Problem, problem, problemSlug } from "../problems.js";

/** What POST /checkout answers: a checkout body with 201/202, or a problem. */
export type CheckoutOutcome =
  | { kind: "checkout"; status: 201 | 202; body: CheckoutJson }
  | { kind: "problem"; problem: Problem };

/**
 * Maps the saga's result to HTTP. Derived only from the checkout the service returned, so a
 * replay (the stored outcome) gets exactly the first response's status and body.
 *
 * COMPLETED → 201 · FAILED: PAYMENT_DECLINED → 402, OUT_OF_STOCK, CHECKOUT_IN_PROGRESS and RESERVATION_LOST → 409,
 * STEP_FAILED → 503, another code → 409 · any other state (payment pending, step mode,
 * compensation still running) → 202 with the checkout to poll.
 */
export function checkoutOutcome(checkout: Checkout): CheckoutOutcome {
  if (checkout.status === CheckoutStatus.COMPLETED) {
    return { kind: "checkout", status: 201, body: checkoutJson(checkout, { history: false }) };
  }
  if (checkout.status !== CheckoutStatus.FAILED) {
    return { kind: "checkout", status: 202, body: checkoutJson(checkout, { history: false }) };
  }
  const failure = checkout.failure;
  const code = failure?.code || "CHECKOUT_FAILED";
  const context = { checkout_id: checkout.checkoutId, code };
  switch (code) {
    case "PAYMENT_DECLINED":
      return {
        kind: "problem",
        problem: problem("payment-declined", 402, failure?.message || "the payment was declined; no money was taken", {
          ...context,
          decline_code: failure?.declineCode || "card_declined",
        }),
      };
    case "OUT_OF_STOCK":
      return {
        kind: "problem",
        problem: problem("out-of-stock", 409, failure?.message || "not enough stock for some lines", {
          ...context,
          lines: (failure?.shortages ?? []).map((l) => ({
            product_id: l.productId,
            requested: l.requested,
            available: l.available,
          })),
        }),
      };
    case "CHECKOUT_IN_PROGRESS":
      // Another checkout of the same cart claimed these lines first (a second tab).
      return {
        kind: "problem",
        problem: problem("checkout-in-progress", 409, failure?.message || "another checkout holds these cart lines", {
          ...context,
          held_by: failure?.heldBy ?? [],
        }),
      };
    case "STEP_FAILED":
      // The service's message may describe internals; the caller learns only that a retry may work.
      return {
        kind: "problem",
        problem: problem(
          "step-failed",
          503,
          "a checkout step failed and what was done has been undone; retry with a new Idempotency-Key",
          context,
        ),
      };
    default:
      return {
        kind: "problem",
        problem: problem(problemSlug(code), 409, failure?.message || "the checkout failed", context),
      };
  }
}
