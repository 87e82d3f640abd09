import { type BackoffPolicy, backoffDelay, isRetryable, sleep } from "@checkout-saga/shared";
import { isCircuitOpen } from "../clients/circuit-breaker-interceptor.js";

// Defined in shared (the outbox relay backs off too); re-exported for the saga's existing importers.
export { type BackoffPolicy, backoffDelay, sleep };

/**
 * Runs `fn`, retrying failures the callee calls retryable (isRetryable) with backoff; others fail
 * at once, and so does an open circuit (retrying within its cooldown would only wait for nothing).
 */
export async function withRetry<T>(fn: () => Promise<T>, policy: BackoffPolicy, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (signal?.aborted || attempt >= policy.attempts || !isRetryable(err) || isCircuitOpen(err)) throw err;
      await sleep(backoffDelay(attempt, policy), signal);
    }
  }
}
