import { type Checkout, CheckoutStatus } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { checkoutJson } from "../mappers/checkout.js";
import type { CheckoutJson } from "../openapi/schemas.js";
import { type Problem, problem, problemSlug } from "../problems.js";

/** What POST /checkout answers: a checkout body with 201/202, or a problem. */
export type CheckoutOutcome =
  | { kind: "checkout"; status: 201 | 202; body: CheckoutJson }
  | { kind: "problem"; problem: Problem; headers?: Record<string, string> };

/** Seconds a client waits before retrying a checkout that failed for a passing reason. */
export const STEP_FAILED_RETRY_AFTER_SECONDS = 2;

/**
 * Maps the saga's result to HTTP. Derived only from the checkout the service returned, so a
 * replay (the stored outcome) gets exactly the first response's status and body.
 *
 * COMPLETED → 201 · FAILED: PAYMENT_DECLINED → 402, OUT_OF_STOCK, CHECKOUT_IN_PROGRESS and RESERVATION_LOST → 409,
 * POINTS_INSUFFICIENT → 422, STEP_FAILED → 503, another code → 409 · any other state (payment pending, step mode,
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
    case "POINTS_INSUFFICIENT":
      // The request can never succeed as sent (until the user earns more): 422, replayed as stored.
      return {
        kind: "problem",
        problem: problem("points-insufficient", 422, failure?.message || "the balance is below the points asked for", {
          ...context,
          requested: Number(checkout.totals?.pointsRedeemed?.amountMinor ?? 0n),
          balance: Number(failure?.pointsBalance ?? 0n),
        }),
      };
    case "STEP_FAILED":
      // The service's message may describe internals; the caller learns only that a retry will
      // work. The same key and body then start a fresh attempt (the 503 is not replayed).
      return {
        kind: "problem",
        problem: problem(
          "step-failed",
          503,
          "a service the checkout needs was unavailable; what was done has been undone and nothing is charged — retry with the same Idempotency-Key",
          context,
        ),
        headers: { "Retry-After": String(STEP_FAILED_RETRY_AFTER_SECONDS) },
      };
    default:
      return {
        kind: "problem",
        problem: problem(problemSlug(code), 409, failure?.message || "the checkout failed", context),
      };
  }
}
