import { errorDetail } from "@checkout-saga/shared";
import { Code, type ConnectError } from "@connectrpc/connect";
import { type Problem, problem, problemSlug } from "./problems.js";

/** Reasons whose FAILED_PRECONDITION means "this request can never succeed as sent", not a conflict. */
const unprocessableReasons = new Set(["CART_LINE_LIMIT", "CART_EMPTY", "IDEMPOTENCY_KEY_REUSED"]);

/**
 * The one mapping from a Connect code (plus its ErrorDetail reason) to an HTTP status.
 * Anything not listed is a fault of ours: 500.
 */
export function httpStatusFor(code: Code, reason?: string): number {
  switch (code) {
    case Code.InvalidArgument:
      return 400;
    case Code.NotFound:
      return 404;
    case Code.AlreadyExists:
      return 409;
    case Code.FailedPrecondition:
      return reason !== undefined && unprocessableReasons.has(reason) ? 422 : 409;
    // Our services abort with a reason (IDEMPOTENCY_KEY_IN_FLIGHT, …): a conflict. Without one
    // it is the transport's (connect-node turns ECONNRESET into Aborted: the service died
    // mid-call), and the call may or may not have happened: unavailable, retry.
    case Code.Aborted:
      return reason === undefined ? 503 : 409;
    case Code.ResourceExhausted:
      return 429;
    // The gateway authenticates users itself (401 before any call): a service refusing the
    // gateway's own credential or assertion is a misconfiguration of ours, not the client's.
    case Code.Unauthenticated:
      return 500;
    case Code.PermissionDenied:
      return 403;
    case Code.Unavailable:
      return 503;
    // The service reset the stream (it was stopping or killed): unavailable for a moment.
    case Code.Canceled:
      return 503;
    case Code.DeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

const fallbackSlugByStatus: Record<number, string> = {
  400: "invalid-argument",
  403: "permission-denied",
  404: "not-found",
  409: "conflict",
  422: "validation-error",
  429: "rate-limited",
  500: "internal-error",
  503: "service-unavailable",
  504: "upstream-timeout",
};

/**
 * A downstream Connect error as a problem. Client errors (4xx) keep the service's message
 * and its machine context; server-side ones (5xx) say only what kind of failure it was, so
 * no internal message leaks — the cause goes to the log.
 */
export function problemFromConnectError(err: ConnectError): Problem {
  const detail = errorDetail(err);
  const reason = detail?.reason || undefined;
  const status = httpStatusFor(err.code, reason);
  if (status >= 500) {
    if (status === 503) return problem("service-unavailable", 503, "a service this request needs is unavailable");
    if (status === 504) return problem("upstream-timeout", 504, "a service this request needs did not answer in time");
    return problem("internal-error", 500, "internal error");
  }
  const slug = reason ? problemSlug(reason) : (fallbackSlugByStatus[status] ?? "error");
  const extra: Record<string, unknown> = {};
  if (reason) extra.code = reason;
  for (const [key, value] of Object.entries(detail?.metadata ?? {})) {
    // The checkouts holding cart lines: a list, as a failed checkout's problem gives it too.
    extra[key] = key === "held_by" ? value.split(",").filter((id) => id !== "") : value;
  }
  if (detail && detail.lines.length > 0) {
    extra.lines = detail.lines.map((l) => ({
      product_id: l.productId,
      requested: l.requested,
      available: l.available,
    }));
  }
  return problem(slug, status, err.rawMessage || (fallbackSlugByStatus[status] ?? "request failed"), extra);
}
