import { DomainError, isRetryable } from "@checkout-saga/shared";

/**
 * A failed lookup before the checkout exists (cart, catalog) becomes our own error: callers
 * must not see another service's codes, and a retryable one tells them to try again.
 */
export function lookupFailure(service: string, err: unknown): DomainError {
  return isRetryable(err)
    ? new DomainError(
        "unavailable",
        "DEPENDENCY_UNAVAILABLE",
        `the ${service} service is unavailable; try again`,
        {},
        { cause: err },
      )
    : new DomainError("internal", "DEPENDENCY_FAILED", `the ${service} service failed`, {}, { cause: err });
}
