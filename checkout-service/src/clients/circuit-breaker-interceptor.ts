import { isRetryable } from "@checkout-saga/shared";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { CircuitBreaker } from "../domain/circuit-breaker.js";

const CIRCUIT_OPEN = "circuit-open";

/** The error of a call refused without being sent: the downstream's circuit is open. */
export const circuitOpenError = (downstream: string): ConnectError =>
  new ConnectError(`the ${downstream} service is failing; calls to it are paused (circuit open)`, Code.Unavailable, {
    [CIRCUIT_OPEN]: downstream,
  });

/**
 * Whether `err` is a refusal by an open circuit. (Marked in metadata: ConnectError's instanceof
 * accepts any ConnectError for a subclass, so a subclass could not tell.)
 */
export const isCircuitOpen = (err: unknown): boolean => err instanceof ConnectError && err.metadata.has(CIRCUIT_OPEN);

/**
 * Failures that say the downstream is unwell: unreachable, too slow, overloaded. An answer
 * (OUT_OF_STOCK, a decline, even Aborted for a conflict) shows it is up.
 */
export const countsAgainstDownstream = (err: unknown): boolean =>
  isRetryable(err) && ConnectError.from(err).code !== Code.Aborted;

/** Puts every call of a transport through `breaker`: fails fast (circuitOpenError) while it is open. */
export function circuitBreakerInterceptor(downstream: string, breaker: CircuitBreaker): Interceptor {
  return (next) => async (req) => {
    const admission = breaker.admit();
    if (!admission) throw circuitOpenError(downstream);
    try {
      const res = await next(req);
      breaker.settle(admission, "success");
      return res;
    } catch (err) {
      // Our own cancellation (the service stopping) says nothing about the downstream.
      const canceled = ConnectError.from(err).code === Code.Canceled;
      breaker.settle(admission, countsAgainstDownstream(err) && !canceled ? "failure" : "success");
      throw err;
    }
  };
}
