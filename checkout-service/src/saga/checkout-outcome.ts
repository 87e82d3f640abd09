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
