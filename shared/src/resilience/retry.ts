import { ExponentialBackoff, handleWhen, retry } from "cockatiel";
import { isRetryable } from "../errors.js";
import type { RetryPolicy } from "./backoff.js";
import { isCircuitOpen } from "./circuit-breaker.js";

export interface RetryOptions {
  /** Failures worth another try (default: the callee said so, isRetryable). */
  retryable?: (err: unknown) => boolean;
  /** No try starts after this moment. */
  deadline?: Date;
  signal?: AbortSignal;
}

/**
 * Runs `fn` under `policy` (at most `policy.attempts` tries and, when given, none started after
 * `deadline`) on cockatiel's retry: decorrelated jitter spreads the retries of many
 * callers out. An open circuit is not retried here (a caller that wants to wait for the
 * breaker's trial call does so itself): retrying within its cooldown would only wait for nothing.
 */
export function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy, options: RetryOptions = {}): Promise<T> {
  const retryable = options.retryable ?? isRetryable;
  const deadline = options.deadline?.getTime() ?? Number.POSITIVE_INFINITY;
  const retrying = retry(
    handleWhen((err) => retryable(err) && !isCircuitOpen(err) && Date.now() < deadline),
    {
      maxAttempts: Math.max(0, policy.attempts - 1),
      backoff: new ExponentialBackoff({ initialDelay: policy.baseDelayMs, maxDelay: policy.maxDelayMs }),
    },
  );
  return retrying.execute(() => fn(), options.signal);
}
