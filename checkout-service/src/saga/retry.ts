import { isRetryable } from "@checkout-saga/shared";
import { isCircuitOpen } from "../clients/circuit-breaker-interceptor.js";

export interface BackoffPolicy {
  /** Total tries, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Exponential backoff with jitter: half the delay fixed, half random, so retries spread out. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

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
