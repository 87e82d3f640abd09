import { ExponentialBackoff, handleWhen, retry } from "cockatiel";
import { isRetryable } from "../errors.js";
import type { RetryPolicy } from "./backoff.js";
import { isCircuitOpen } from "./circuit-breaker.js";

export interface RetryOptions {
  /** Failures worth another try (default: the callee said so, isRetryable). */
  retryable?: (err: unknown) => boolean;
  /** No try starts after this moment. */
  deadline?: Date;
  /** Keep trying while the callee's circuit is open (until the deadline): wait for its trial call. */
  waitOutOpenCircuit?: boolean;
  /** The clock the deadline is read on (default: the system's). */
  now?: () => number;
  signal?: AbortSignal;
}

/**
 * Runs `fn` under `policy` (at most `policy.attempts` tries and, when given, none started after
 * `deadline`) on cockatiel's retry: decorrelated jitter spreads the retries of many callers
 * out. An open circuit is retried only with `waitOutOpenCircuit` (a caller with a deadline
 * waits for the breaker's trial call); otherwise it fails at once.
 */
export function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy, options: RetryOptions = {}): Promise<T> {
  const retryable = options.retryable ?? isRetryable;
  const deadline = options.deadline?.getTime() ?? Number.POSITIVE_INFINITY;
  const now = options.now ?? Date.now;
  const retrying = retry(
    handleWhen((err) => retryable(err) && (options.waitOutOpenCircuit || !isCircuitOpen(err)) && now() < deadline),
    {
      maxAttempts: Math.max(0, policy.attempts - 1),
      backoff: new ExponentialBackoff({ initialDelay: policy.baseDelayMs, maxDelay: policy.maxDelayMs }),
    },
  );
  return retrying.execute(() => fn(), options.signal);
}
