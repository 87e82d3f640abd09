import type { CheckoutSession } from "../saga/checkout-saga.js";
import { isFinished } from "./checkout-saga.js";

/**
 * Whether the checkout's state is an answer to keep for its idempotency key: it ended, needs
 * an operator, waits in step mode, or waits for a payment the provider accepted. A checkout
 * merely waiting out a downstream failure is not: a retry with the same key resumes it.
 */
export function isSettledOutcome(session: CheckoutSession): boolean {
  return (
    isFinished(session.status) ||
    session.needsAttention ||
    session.stepMode ||
    (session.status === "PAYMENT_PENDING" && session.paymentId !== undefined)
  );
}

/**
 * Whether the checkout failed for a passing reason (a step could not reach its service before
 * its deadline; everything was undone, nothing is charged). Its answer is a 503: the client
 * retries with the same key and body, which starts a fresh attempt rather than replaying it.
 */
export const isRetryableFailure = (session: CheckoutSession): boolean =>
  session.status === "FAILED" && session.failure?.code === "STEP_FAILED";
